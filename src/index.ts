import { createApp } from './app'
import type { Bindings } from './env'
import { handleQueue } from './queue/consumer'

const app = createApp()

export default {
  fetch: app.fetch,
  queue: (batch, env) => handleQueue(batch, env),
} satisfies ExportedHandler<Bindings>
