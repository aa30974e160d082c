import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { ReservationExchange } from '../../daemon/dispatch/reservation-exchange.js';
import { ReservationLedger } from '../../daemon/dispatch/reservation-ledger.js';

test('ledger: sends elsewhere spend the tokens here and move the tag, without counting as sent here', () => {
  const ledger = new ReservationLedger({ burstMs: 1000 });
  ledger.setReservation('a', 100);
  const account = ledger.account('a');
  assert.equal(account.available(10_000), 100, 'a full second banked');
  account.chargeElsewhere(30, 10_000);
  assert.equal(account.available(10_000), 70);
  assert.equal(account.tag, 0.3);
  assert.equal(account.sentReserved, 0);
  account.charge(5, 10_000, account.tag);
  assert.equal(account.sentReserved, 5);
  ledger.account('z').chargeElsewhere(10, 10_000);
  assert.equal(ledger.account('z').tag, 0, 'a best-effort client has nothing to charge');
});

test('ledger: a share divides every reservation, including ones set later, and 1 restores them', () => {
  const ledger = new ReservationLedger();
  ledger.setReservation('a', 100);
  ledger.setShare(0.25);
  ledger.setReservation('b', 40);
  assert.deepEqual([ledger.account('a').reservedTps, ledger.account('b').reservedTps], [25, 10]);
  assert.deepEqual(ledger.reservedAccounts().map((a) => a.configuredTps), [100, 40]);
  ledger.setShare(1);
  assert.deepEqual([ledger.account('a').reservedTps, ledger.account('b').reservedTps], [100, 40]);
  assert.throws(() => ledger.setShare(0), RangeError);
});

test('exchange: reports what was sent since the last report and charges what the count grew by elsewhere', () => {
  const ledger = new ReservationLedger();
  ledger.setReservation('a', 100);
  const exchange = new ReservationExchange(ledger);
  const account = ledger.account('a');
  account.charge(4, 0, 0);
  let reports = exchange.reports();
  assert.deepEqual(reports, [{ clientId: 'a', sent: 4 }]);
  exchange.apply(reports, [50], 0);
  assert.equal(account.tag, 0.04, 'a first count charges nothing: it is history');

  account.charge(6, 0, account.tag);
  reports = exchange.reports();
  assert.deepEqual(reports, [{ clientId: 'a', sent: 6 }]);
  exchange.apply(reports, [50 + 6 + 20], 0);
  assert.ok(Math.abs(account.tag - (0.1 + 0.2)) < 1e-12, 'charged the 20 sent elsewhere, not its own 6');

  reports = exchange.reports();
  exchange.apply(reports, [3], 0);
  assert.ok(Math.abs(account.tag - 0.3) < 1e-12, 'a count that went back (Redis lost it) starts afresh');
  exchange.apply(exchange.reports(), [13], 0);
  assert.ok(Math.abs(account.tag - 0.4) < 1e-12, 'and counts from there');
});

test('exchange: after forget, sends made meanwhile are not reported and the next count charges nothing', () => {
  const ledger = new ReservationLedger();
  ledger.setReservation('a', 100);
  const exchange = new ReservationExchange(ledger);
  exchange.apply(exchange.reports(), [0], 0);
  ledger.account('a').charge(7, 0, 0);
  exchange.forget();
  const reports = exchange.reports();
  assert.deepEqual(reports, [{ clientId: 'a', sent: 0 }]);
  exchange.apply(reports, [500], 0);
  assert.equal(ledger.account('a').tag, 0.07, 'only its own send');
});
