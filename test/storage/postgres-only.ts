import { test } from 'node:test';

/** PostgreSQL-only tests: migrations under the advisory lock, schema refusal, SKIP LOCKED claims, reconnects. */
export function definePostgresOnlyTests(): void {
  test('placeholder', () => undefined);
}
