-- Full-text search over post bodies (SPEC §11), hand-written: drizzle-kit cannot declare
-- an FTS5 virtual table (it would emit a plain CREATE TABLE), so the table lives only here
-- and never in src/db/schema.ts.
--
-- External content: the index stores only the tokens; bodies are read from `posts` by rowid
-- (= posts.id) when highlight() needs them. unicode61 with remove_diacritics 2 folds case
-- and accents, so "cafe" finds "café".
CREATE VIRTUAL TABLE `posts_fts` USING fts5(
  body,
  content = 'posts',
  content_rowid = 'id',
  tokenize = 'unicode61 remove_diacritics 2'
);
--> statement-breakpoint
-- Kept in sync with `posts` by triggers: a new post is indexed, a deleted one is removed
-- (an external-content index must be given the old text to remove its tokens), an edited
-- body is re-indexed.
CREATE TRIGGER `posts_fts_after_insert` AFTER INSERT ON `posts` BEGIN
  INSERT INTO posts_fts (rowid, body) VALUES (new.id, new.body);
END;
--> statement-breakpoint
CREATE TRIGGER `posts_fts_after_delete` AFTER DELETE ON `posts` BEGIN
  INSERT INTO posts_fts (posts_fts, rowid, body) VALUES ('delete', old.id, old.body);
END;
--> statement-breakpoint
CREATE TRIGGER `posts_fts_after_update` AFTER UPDATE OF `body` ON `posts` BEGIN
  INSERT INTO posts_fts (posts_fts, rowid, body) VALUES ('delete', old.id, old.body);
  INSERT INTO posts_fts (rowid, body) VALUES (new.id, new.body);
END;
--> statement-breakpoint
-- Back-fill: index every post that exists before this migration.
INSERT INTO posts_fts (posts_fts) VALUES ('rebuild');
