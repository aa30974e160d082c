import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import type { RouteId } from '../../daemon/domain/ids.js';
import type { RouteRecord } from '../../daemon/domain/provisioning.js';
import { buildMtRouteTable, routeMt } from '../../daemon/routing/mt-router.js';

function route(id: string, disabled = false): RouteRecord {
  return {
    id: id as RouteId, host: '127.0.0.1', port: 2775, tls: false, systemId: id, password: 'x', systemType: '',
    bindMode: 'transceiver', binds: 1, windowSize: 10, tps: 100, defaultDataCoding: 0, gsmPacking: 'unpacked',
    concatenation: 'udh8', receiptIdFormat: 'auto', inDoubtPolicy: 'hold', sourceTon: 5, sourceNpi: 0, destTon: 1, destNpi: 1, disabled,
  };
}

const table = buildMtRouteTable(
  [route('mts'), route('beeline'), route('megafon'), route('fallback'), route('off', true)],
  [
    { prefix: '7', routeId: 'fallback' as RouteId },
    { prefix: '7916', routeId: 'mts' as RouteId },
    { prefix: '79161', routeId: 'beeline' as RouteId },
    { prefix: '7903', routeId: 'off' as RouteId },
    { prefix: '7925', routeId: 'megafon' as RouteId },
  ],
);

const cases: readonly [string, string, string | undefined, string | null][] = [
  ['longest prefix wins', '79161234567', undefined, 'beeline'],
  ['shorter prefix when the longer does not match', '79169234567', undefined, 'mts'],
  ['country-wide fallback', '79991234567', undefined, 'fallback'],
  ['disabled route skipped for a shorter prefix', '79031234567', undefined, 'fallback'],
  ['portability override beats every prefix', '79161234567', 'megafon', 'megafon'],
  ['override to a disabled route is skipped', '79251234567', 'off', 'megafon'],
  ['override to an unknown route is skipped', '79251234567', 'gone', 'megafon'],
  ['no prefix matches', '447911123456', undefined, null],
];

for (const [name, msisdn, override, expected] of cases) {
  test(`router: ${name}`, () => {
    assert.equal(routeMt(table, msisdn, override as RouteId | undefined)?.id ?? null, expected);
  });
}

test('router: an empty prefix is a catch-all', () => {
  const withDefault = buildMtRouteTable([route('any')], [{ prefix: '', routeId: 'any' as RouteId }]);
  assert.equal(routeMt(withDefault, '447911123456')?.id, 'any');
});
