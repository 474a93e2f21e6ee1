import type { Db } from '../../../db/client'
import type { Job } from '../../../db/schema'
import type { Bindings } from '../../../env'

/**
 * What one step (one chunk, ≤ 500 rows) of a job hands back. `stopped`: the job was stopped
 * meanwhile (an export whose owner's account was deleted) and discarded what it wrote.
 */
export type StepResult<C> = { cursor: C; done: number; total: number; finished: boolean; stopped?: boolean }

/** What a step works with: the environment, a primary-database client and its job row. */
export type JobContext = { env: Bindings; db: Db; job: Job }
