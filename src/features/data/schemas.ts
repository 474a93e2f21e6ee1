import { z } from 'zod'

/** Deleting an account: the current password again, and the username typed out. */
export const deleteAccountSchema = z.object({
  password: z.string().min(1, 'data.deletePasswordRequired'),
  confirm: z
    .string()
    .default('')
    .transform((value) => value.trim()),
})

export const jobIdSchema = z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER)
