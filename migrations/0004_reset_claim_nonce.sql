ALTER TABLE `password_reset_tokens` ADD `claim_nonce` text;
