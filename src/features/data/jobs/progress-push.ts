import type { Job } from '../../../db/schema'
import type { Bindings } from '../../../env'
import { exportEvent, toExportView } from '../views'
import { notifyMemberNow } from '../../live/notify'

/**
 * Pushes an export's status (the same fragment the polling URL renders) to its member's live
 * channel. Other kinds of job have nobody watching (a deleted member has no page). Never
 * throws: a push that fails or times out is logged and the job goes on.
 */
export async function pushJobProgress(env: Bindings, job: Job | null | undefined): Promise<void> {
  if (!job || job.kind !== 'export') return
  await notifyMemberNow(env, job.userId, exportEvent(toExportView(job)))
}
