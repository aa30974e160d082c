import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import type { ClientId, RouteId } from '../../daemon/domain/ids.js';
import { clientPut, route } from '../storage/fixtures.js';
import { openTestSqliteStore } from '../storage/sqlite-factory.js';
import { parseScript, runScript } from './scenario-script.js';

/** The scripts stay in the source tree; this file runs from dist/test/scenarios. */
const dir = fileURLToPath(new URL('../../../test/scenarios/', import.meta.url));
const rewrite = process.env.SCENARIO_REWRITE === '1';
const files = readdirSync(dir).filter((name) => name.endsWith('.txt')).sort();

test('there is a scenario script for every built-in kind', () => {
  for (const kind of ['vote', 'quiz', 'lottery', 'subscription']) assert.ok(files.some((name) => name.startsWith(kind)), `no script for ${kind}`);
});

for (const file of files) {
  test(`scenario script ${file}`, async () => {
    const handle = await openTestSqliteStore();
    try {
      await handle.store.applyProvisioning([
        { op: 'route.put', route: route('mts-1') },
        { op: 'prefix.put', prefix: { prefix: '7', routeId: 'mts-1' as RouteId } },
        { op: 'client.put', client: clientPut('acme', { shortCodes: ['7700'], keywords: [] }) },
      ]);
      await handle.store.setPayoutBudget('acme' as ClientId, 'RUB', 1000);
      const path = `${dir}${file}`;
      const expected = readFileSync(path, 'utf8');
      const actual = await runScript(parseScript(expected), handle.store);
      if (rewrite) writeFileSync(path, actual);
      assert.equal(actual, expected);
    } finally {
      await handle.cleanup();
    }
  });
}
