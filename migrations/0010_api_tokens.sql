CREATE TABLE `api_tokens` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` integer NOT NULL,
	`secret_hash` text NOT NULL,
	`created_at` integer NOT NULL,
	`last_used_at` integer,
	`expires_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `api_tokens_user_idx` ON `api_tokens` (`user_id`,`created_at`);--> statement-breakpoint
-- A password change revokes every API token of that member, whichever code path changes it
-- (reset link, settings, an admin): the database enforces it, so no path can forget.
CREATE TRIGGER `api_tokens_revoke_on_password_change`
AFTER UPDATE OF `password_hash` ON `users`
WHEN OLD.`password_hash` <> NEW.`password_hash`
BEGIN
  DELETE FROM `api_tokens` WHERE `user_id` = NEW.`id`;
END;
