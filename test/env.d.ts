import type { D1Migration } from '@cloudflare/vitest-plugin'
import type { Bindings } from '../src/env'

declare global {
  namespace Cloudflare {
    interface Env extends Bindings {
      TEST_MIGRATIONS: D1Migration[]
      /** An empty D1 (migrate it first) standing in for a lagging read replica. */
      LAGGING_REPLICA: D1Database
    }
    interface GlobalProps {
      mainModule: typeof import('../src/index')
    }
  }
}
