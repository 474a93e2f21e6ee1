ALTER TABLE `posts` ADD `form_key` text;--> statement-breakpoint
CREATE UNIQUE INDEX `posts_user_form_key_idx` ON `posts` (`user_id`,`form_key`);--> statement-breakpoint
CREATE INDEX `timeline_post_idx` ON `timeline_entries` (`post_id`);