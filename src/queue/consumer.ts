import type { Bindings } from '../env'

/**
 * The email queue consumer. Until the email issue lands it only records what it would
 * deliver (never the body, which may carry links with tokens) and acknowledges.
 */
export async function handleQueue(batch: MessageBatch<unknown>, _env: Bindings): Promise<void> {
  for (const message of batch.messages) {
    console.log(JSON.stringify({ level: 'info', event: 'queue.message', queue: batch.queue, id: message.id }))
    message.ack()
  }
}
