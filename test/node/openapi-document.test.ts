import { Validator } from '@seriousme/openapi-schema-validator'
import { describe, expect, it } from 'vitest'
import { apiApp, OPENAPI_CONFIG } from '../../src/features/api/app'

// Runs in Node (the `node` project in vitest.config.ts): the validator compiles JSON
// schemas to code, which workerd does not allow.
describe('GET /api/openapi.json', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const document = apiApp.getOpenAPI31Document(OPENAPI_CONFIG)
    const validator = new Validator()
    const result = await validator.validate(JSON.parse(JSON.stringify(document)))
    expect(result.errors ?? []).toEqual([])
    expect(result.valid).toBe(true)
    expect(validator.version).toBe('3.1')
  })
})
