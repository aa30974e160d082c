import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { smppAbsoluteTime, submitPdusOf, type SubmitRoute } from '../../daemon/dispatch/mt-submit-pdus.js';
import type { ClientId, MessageId, RouteId } from '../../daemon/domain/ids.js';
import { tlvValue } from '../../daemon/smpp/tlv.js';
import type { ClaimedMt } from '../../daemon/storage/port.js';

const now = Date.parse('2026-03-01T10:00:00Z');
const route: SubmitRoute = { concatenation: 'udh8', gsmPacking: 'unpacked', defaultDataCoding: 0, sourceTon: 5, sourceNpi: 0, destTon: 1, destNpi: 1 };

function message(overrides: Partial<ClaimedMt> = {}): ClaimedMt {
  return {
    id: 'm1' as MessageId, clientId: 'acme' as ClientId, routeId: 'r' as RouteId, sender: 'ACME', recipient: '79161234567',
    text: 'Hello', encoding: 'gsm7', segments: 1, priority: 1, expiresAt: new Date(now + 3_600_000), dlrRequested: true,
    attempt: 1, acceptedAt: new Date(now), ...overrides,
  };
}

test('a single-part message: addressing from the route, no UDH, receipt requested, validity as SMPP absolute time', () => {
  const [pdu, ...rest] = submitPdusOf(message(), route, 7, now);
  assert.equal(rest.length, 0);
  assert.ok(pdu !== undefined);
  assert.deepEqual(
    [pdu.sourceAddrTon, pdu.sourceAddrNpi, pdu.sourceAddr, pdu.destAddrTon, pdu.destAddrNpi, pdu.destinationAddr],
    [5, 0, 'ACME', 1, 1, '79161234567'],
  );
  assert.equal(pdu.esmClass, 0);
  assert.equal(pdu.registeredDelivery, 1);
  assert.equal(pdu.dataCoding, 0);
  assert.equal(pdu.priorityFlag, 0);
  assert.equal(pdu.validityPeriod, '260301110000000+');
  assert.deepEqual(pdu.shortMessage, Buffer.from('Hello', 'latin1'));
});

test('no receipt callback asked: the receipt is still requested (the ledger needs it); high priority; validity under a minute left to the SMSC', () => {
  const [pdu] = submitPdusOf(message({ dlrRequested: false, priority: 0, expiresAt: new Date(now + 30_000) }), route, 0, now);
  assert.equal(pdu?.registeredDelivery, 1);
  assert.equal(pdu?.priorityFlag, 1);
  assert.equal(pdu?.validityPeriod, '');
});

test('udh8: one PDU per part with UDHI and the 8-bit concatenation IE, reference modulo 256', () => {
  const pdus = submitPdusOf(message({ text: 'a'.repeat(300), segments: 2 }), route, 256 + 9, now);
  assert.equal(pdus.length, 2);
  pdus.forEach((pdu, index) => {
    assert.equal(pdu.esmClass, 0x40);
    assert.deepEqual([...pdu.shortMessage.subarray(0, 6)], [5, 0, 3, 9, 2, index + 1]);
  });
});

test('UCS-2 goes with data_coding 8 whatever the route default', () => {
  const [pdu] = submitPdusOf(message({ text: 'Привет', encoding: 'ucs2' }), { ...route, defaultDataCoding: 1 }, 0, now);
  assert.equal(pdu?.dataCoding, 8);
  assert.equal(pdu?.shortMessage.length, 12);
});

test('sar: SAR TLVs and no UDH; payload: one PDU with message_payload and an empty short_message', () => {
  const sar = submitPdusOf(message({ text: 'b'.repeat(200), segments: 2 }), { ...route, concatenation: 'sar' }, 70_000, now);
  assert.equal(sar.length, 2);
  assert.equal(sar[1]?.esmClass, 0);
  assert.equal(tlvValue(sar[1]?.tlvs ?? [], 'sar_msg_ref_num'), 70_000 % 65_536);
  assert.equal(tlvValue(sar[1]?.tlvs ?? [], 'sar_total_segments'), 2);
  assert.equal(tlvValue(sar[1]?.tlvs ?? [], 'sar_segment_seqnum'), 2);
  const payload = submitPdusOf(message({ text: 'c'.repeat(200), segments: 2 }), { ...route, concatenation: 'payload' }, 0, now);
  assert.equal(payload.length, 1);
  assert.equal(payload[0]?.shortMessage.length, 0);
  assert.equal(tlvValue(payload[0]?.tlvs ?? [], 'message_payload')?.length, 200);
});

test('SMPP absolute time: UTC, tenths of a second', () => {
  assert.equal(smppAbsoluteTime(new Date('2030-12-31T23:59:58.750Z')), '301231235958700+');
});
