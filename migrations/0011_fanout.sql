-- timeline_entries becomes WITHOUT ROWID, keyed by the order a timeline page is read in:
-- (owner_id, created_at, post_id). The old rowid table, its (owner_id, post_id) key and the
-- indexes timeline_owner_created_idx and timeline_post_idx go; (owner_id, author_id) stays
-- for unfollows. No foreign key to posts any more (see src/db/schema.ts): a post's copies are
-- removed through its author's followers (src/features/posts/fanout.ts).
-- A rebuild in one file: new table, copy in key order, drop, rename, index. D1 ignores
-- PRAGMA foreign_keys = OFF; defer_foreign_keys holds the checks until the end instead.
PRAGMA defer_foreign_keys = on;--> statement-breakpoint
CREATE TABLE `__new_timeline_entries` (
	`owner_id` integer NOT NULL,
	`created_at` integer NOT NULL,
	`post_id` integer NOT NULL,
	`author_id` integer NOT NULL,
	PRIMARY KEY(`owner_id`, `created_at`, `post_id`),
	FOREIGN KEY (`owner_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `__new_timeline_entries` (`owner_id`, `created_at`, `post_id`, `author_id`)
SELECT `owner_id`, `created_at`, `post_id`, `author_id` FROM `timeline_entries`
ORDER BY `owner_id`, `created_at`, `post_id`;--> statement-breakpoint
DROP TABLE `timeline_entries`;--> statement-breakpoint
ALTER TABLE `__new_timeline_entries` RENAME TO `timeline_entries`;--> statement-breakpoint
CREATE INDEX `timeline_owner_author_idx` ON `timeline_entries` (`owner_id`,`author_id`);--> statement-breakpoint
PRAGMA defer_foreign_keys = off;
