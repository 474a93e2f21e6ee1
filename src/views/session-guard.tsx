import { useRequestContext } from 'hono/jsx-renderer'
import type { AppEnv } from '../env'
import { AS_USER_FIELD } from '../middleware/session-guard'

/**
 * The hidden field that ties a form to the member its page was rendered for (see
 * `src/middleware/session-guard.ts`). Put it in every form a member can send. It reads the
 * member from the page's request context; in an htmx fragment (no page context) it renders
 * nothing, and the `X-As-User` header set on `<body>` does the job instead.
 */
export function SessionGuardField() {
  let userId: number | undefined
  try {
    userId = useRequestContext<AppEnv>().get('user')?.id
  } catch {
    return null
  }
  return userId === undefined ? null : <input type="hidden" name={AS_USER_FIELD} value={String(userId)} />
}
