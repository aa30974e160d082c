import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { createClientSeries, OTHER_CLIENTS } from '../../daemon/stats/client-series.js';
import { watchdogIntervalMs } from '../../daemon/systemd-notify.js';

test('client series: off gives no label; on admits the first max clients and sums the rest under _other', () => {
  const off = createClientSeries(false, 10);
  assert.equal(off.labelOf('acme'), null);
  assert.equal(off.admitted, 0);
  const on = createClientSeries(true, 2);
  assert.deepEqual(['acme', 'zeta', 'acme', 'omega', 'zeta', 'delta'].map((id) => on.labelOf(id)), ['acme', 'zeta', 'acme', OTHER_CLIENTS, 'zeta', OTHER_CLIENTS]);
  assert.equal(on.admitted, 2);
});

test('watchdog interval: half of WATCHDOG_USEC, only for the process WATCHDOG_PID names', () => {
  const rows: [NodeJS.ProcessEnv, number | null][] = [
    [{}, null],
    [{ WATCHDOG_USEC: '30000000' }, 15_000],
    [{ WATCHDOG_USEC: '30000000', WATCHDOG_PID: '42' }, 15_000],
    [{ WATCHDOG_USEC: '30000000', WATCHDOG_PID: '43' }, null],
    [{ WATCHDOG_USEC: '0' }, null],
    [{ WATCHDOG_USEC: 'soon' }, null],
    [{ WATCHDOG_USEC: '1000' }, 1],
  ];
  for (const [env, expected] of rows) assert.equal(watchdogIntervalMs(env, 42), expected, JSON.stringify(env));
});
