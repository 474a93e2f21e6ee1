import { createApp } from './app'
import type { Bindings } from './env'
import { handleQueue } from './queue/consumer'

// Durable Object classes must be exported by the Worker's main module.
export { MemberHub } from './features/live/hub'

const app = createApp()

export default {
  fetch: app.fetch,
  queue: (batch, env) => handleQueue(batch, env),
} satisfies ExportedHandler<Bindings>
