import { createApp } from './app'
import type { Bindings } from './env'
import { handleJobsBatch, handleJobsDeadLetterBatch, JOBS_DLQ_NAME, JOBS_QUEUE_NAME } from './jobs/consumer'
import { handleScheduled } from './jobs/housekeeping'
import {
  FANOUT_DLQ_NAME,
  FANOUT_QUEUE_NAME,
  handleFanoutBatch,
  handleFanoutDeadLetterBatch,
} from './features/posts/fanout'
import { handleQueue } from './queue/consumer'

// Durable Object classes must be exported by the Worker's main module.
export { MemberHub } from './features/live/hub'

const app = createApp()

export default {
  fetch: app.fetch,
  // One consumer per queue, chosen by name; email and its dead letters stay in src/queue.
  queue: (batch, env) => {
    if (batch.queue === JOBS_QUEUE_NAME) return handleJobsBatch(batch, env)
    if (batch.queue === JOBS_DLQ_NAME) return handleJobsDeadLetterBatch(batch, env)
    if (batch.queue === FANOUT_QUEUE_NAME) return handleFanoutBatch(batch, env)
    if (batch.queue === FANOUT_DLQ_NAME) return handleFanoutDeadLetterBatch(batch, env)
    return handleQueue(batch, env)
  },
  scheduled: (controller, env) => handleScheduled(controller, env),
} satisfies ExportedHandler<Bindings>
