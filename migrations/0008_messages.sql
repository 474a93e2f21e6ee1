CREATE TABLE `conversations` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`user_a_id` integer NOT NULL,
	`user_b_id` integer NOT NULL,
	`last_message_body` text,
	`last_sender_id` integer,
	`last_message_at` integer NOT NULL,
	`a_unread` integer DEFAULT 0 NOT NULL,
	`b_unread` integer DEFAULT 0 NOT NULL,
	`a_last_read_at` integer DEFAULT 0 NOT NULL,
	`b_last_read_at` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`user_a_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_b_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `conversations_pair_idx` ON `conversations` (`user_a_id`,`user_b_id`);--> statement-breakpoint
CREATE INDEX `conversations_a_activity_idx` ON `conversations` (`user_a_id`,`last_message_at`,`id`);--> statement-breakpoint
CREATE INDEX `conversations_b_activity_idx` ON `conversations` (`user_b_id`,`last_message_at`,`id`);--> statement-breakpoint
CREATE TABLE `messages` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`conversation_id` integer NOT NULL,
	`sender_id` integer NOT NULL,
	`recipient_id` integer NOT NULL,
	`body` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`conversation_id`) REFERENCES `conversations`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`sender_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`recipient_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `messages_conversation_created_idx` ON `messages` (`conversation_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `messages_sender_idx` ON `messages` (`sender_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `messages_recipient_idx` ON `messages` (`recipient_id`,`created_at`);--> statement-breakpoint
ALTER TABLE `users` ADD `unread_message_count` integer DEFAULT 0 NOT NULL;