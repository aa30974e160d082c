import { after } from 'node:test';
import { pgUnreachable } from '../support/postgres.js';
import { dropPgRun, startPgRun } from './deliver-store.js';

/**
 * The delivery end-to-end tests again, on the PostgreSQL store: each node of a test gets a schema of
 * its own (deliver-store.ts), all dropped at the end. (deliver-main.test.ts starts the daemon from a
 * config file of its own and stays on SQLite.)
 */
const unreachable = await pgUnreachable();
if (unreachable === null) {
  const run = startPgRun();
  after(() => dropPgRun(run));
  await import('./deliver-mt.test.js');
  await import('./deliver-receipts.test.js');
  await import('./deliver-mo.test.js');
  await import('./deliver-inbound.test.js');
  await import('./deliver-routes.test.js');
  await import('./deliver-resilience.test.js');
  await import('./deliver-crash.test.js');
  await import('./deliver-scenario.test.js');
} else {
  console.error(`delivery e2e tests on PostgreSQL NOT RUN: no server at the test URL: ${unreachable}`);
}
