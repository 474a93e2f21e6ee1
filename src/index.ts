import { createApp } from './app'
import type { Bindings } from './env'
import {
  handleJobsBatch,
  handleJobsDeadLetterBatch,
  JOBS_DLQ_NAME,
  JOBS_QUEUE_NAME,
} from './features/data/jobs/consumer'
import { EMAIL_DLQ_NAME, EMAIL_QUEUE_NAME, handleDeadLetterBatch, handleEmailBatch } from './features/email/consumer'
import { handleScheduled } from './features/housekeeping/cron'
import {
  FANOUT_DLQ_NAME,
  FANOUT_QUEUE_NAME,
  handleFanoutBatch,
  handleFanoutDeadLetterBatch,
} from './features/posts/fanout'

// Durable Object classes must be exported by the Worker's main module.
export { MemberHub } from './features/live/hub'

type Consumer = (batch: MessageBatch<unknown>, env: Bindings) => Promise<void>

/** Each queue of wrangler.toml (the same names in every environment) and its consumer. */
export const consumers: Record<string, Consumer> = {
  [EMAIL_QUEUE_NAME]: handleEmailBatch,
  [EMAIL_DLQ_NAME]: handleDeadLetterBatch,
  [JOBS_QUEUE_NAME]: handleJobsBatch,
  [JOBS_DLQ_NAME]: handleJobsDeadLetterBatch,
  [FANOUT_QUEUE_NAME]: handleFanoutBatch,
  [FANOUT_DLQ_NAME]: handleFanoutDeadLetterBatch,
}

const app = createApp()

export default {
  fetch: app.fetch,
  queue: async (batch, env) => {
    const consumer = consumers[batch.queue]
    // Not acked: the platform retries, and the error shows in the logs.
    if (!consumer) throw new Error(`no consumer for queue ${batch.queue}`)
    return consumer(batch, env)
  },
  scheduled: (controller, env) => handleScheduled(controller, env),
} satisfies ExportedHandler<Bindings>
