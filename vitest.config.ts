import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin'
import { spawnSync } from 'node:child_process'
import { defineConfig } from 'vitest/config'

export default defineConfig(async () => {
  // The layout imports the content-hashed asset map (src/views/assets.generated.ts): refresh it.
  spawnSync(process.execPath, ['scripts/hash-assets.mjs'], { stdio: 'ignore' })
  // The same SQL files `wrangler d1 migrations apply` reads, applied to each test file's
  // own (isolated) local D1 by test/setup.ts.
  const migrations = await readD1Migrations('./migrations')
  const workers = {
    plugins: [
      // A function so it can read what test/mail-server.ts (global setup) provides: emails go
      // through the smtp transport to a real SMTP server on loopback.
      cloudflareTest(({ inject }) => ({
        wrangler: { configPath: './wrangler.toml' },
        miniflare: {
          // A second database that tests fill by hand to play a read replica lagging behind
          // the primary (locally every D1 session reads the primary, so lag cannot happen).
          d1Databases: { LAGGING_REPLICA: 'lagging-replica' },
          bindings: {
            TEST_MIGRATIONS: migrations,
            EMAIL_TRANSPORT: 'smtp',
            SMTP_HOST: '127.0.0.1',
            SMTP_PORT: String(inject('smtpPort')),
            SMTP_SECURE: 'none',
            SMTP_USER: inject('smtpUser'),
            SMTP_PASSWORD: inject('smtpPassword'),
            MAIL_FROM: 'Microblog <no-reply@microblog.test>',
            ADMINS: 'admin@microblog.test',
            BASE_URL: '',
            // Retries without waiting, so the real queue reaches its dead-letter queue in seconds.
            EMAIL_RETRY_BASE_SECONDS: '0',
            // Job slices retry without waiting, so a deletion that fails five times finishes in seconds.
            JOB_RETRY_BASE_SECONDS: '0',
            // The edge cache would serve a test a visitor's page from before its own writes;
            // test/features/edge-cache.test.ts switches it on for its own requests.
            EDGE_CACHE_TTL: '0',
          },
        },
      })),
    ],
    test: {
      name: 'workers',
      include: ['test/**/*.test.{ts,tsx}'],
      exclude: ['test/node/**'],
      setupFiles: ['./test/setup.ts'],
      globalSetup: ['./test/mail-server.ts'],
      testTimeout: 30_000,
    },
  }
  return {
    test: {
      projects: [
        workers,
        // Checks that need Node (code generation is not allowed in workerd): the OpenAPI
        // document validated as OpenAPI 3.1.
        { test: { name: 'node', include: ['test/node/**/*.test.ts'], environment: 'node' } },
      ],
    },
  }
})
