ALTER TABLE `users` ADD `password_rehashed_at` integer;--> statement-breakpoint
-- A password change still revokes every API token of the member, whichever code path
-- writes it; but a login that only upgrades the hash (same password, stronger parameters)
-- is not a change, and says so by stamping `password_rehashed_at` in the same UPDATE. A
-- new hash written without that stamp revokes: a path that forgets it errs on the safe side.
DROP TRIGGER `api_tokens_revoke_on_password_change`;--> statement-breakpoint
CREATE TRIGGER `api_tokens_revoke_on_password_change`
AFTER UPDATE OF `password_hash` ON `users`
WHEN OLD.`password_hash` <> NEW.`password_hash`
  AND NEW.`password_rehashed_at` IS OLD.`password_rehashed_at`
BEGIN
  DELETE FROM `api_tokens` WHERE `user_id` = NEW.`id`;
END;
