import { pgUnreachable, testPgUrl } from '../support/postgres.js';
import { defineStoreConformance } from './conformance.js';
import { definePostgresOnlyTests } from './postgres-only.js';
import { openTestPostgresStore } from './postgres-factory.js';

const unreachable = await pgUnreachable();
if (unreachable === null) {
  defineStoreConformance('postgres', openTestPostgresStore);
  definePostgresOnlyTests();
} else {
  // Not a pass: nothing is registered, and the reason is printed (test/services.sh starts the server).
  console.error(`PostgreSQL store tests NOT RUN: no server at ${testPgUrl.replace(/:[^:@/]*@/, ':***@')}: ${unreachable}`);
}
