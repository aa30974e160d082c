import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { decodePdu, encodePdu } from '../../daemon/smpp/codec.js';
import type { DecodeErrorKind } from '../../daemon/smpp/codec.js';
import { CommandStatus, classifyCommandStatus, commandStatusName } from '../../daemon/smpp/command-status.js';
import { commandIds, responseCommandOf } from '../../daemon/smpp/commands.js';
import type { CommandName } from '../../daemon/smpp/commands.js';
import type { Pdu, PduOf } from '../../daemon/smpp/pdu.js';
import { tlv, tlvDefinitions, tlvNameByTag, tlvValue } from '../../daemon/smpp/tlv.js';
import type { TlvName } from '../../daemon/smpp/tlv.js';
import { unescapeOctets } from '../testdata.js';
import { address, numeric, pduRows, quoted, tlvList } from './smpp-pdu-rows.js';

const rows = pduRows();

function field(pdu: Pdu, name: string): unknown {
  return (pdu as unknown as Record<string, unknown>)[name];
}

/** Description field name → our field name, for the mandatory fields the descriptions list. */
const quotedFields: Record<string, string> = {
  system_id: 'systemId',
  password: 'password',
  system_type: 'systemType',
  address_range: 'addressRange',
  service_type: 'serviceType',
  message_id: 'messageId',
  sched: 'scheduleDeliveryTime',
  validity: 'validityPeriod',
  final_date: 'finalDate',
};
const numericFields: Record<string, string> = {
  interface_version: 'interfaceVersion',
  addr_ton: 'addrTon',
  addr_npi: 'addrNpi',
  esm_class: 'esmClass',
  protocol_id: 'protocolId',
  priority: 'priorityFlag',
  registered_delivery: 'registeredDelivery',
  data_coding: 'dataCoding',
  error_code: 'errorCode',
};

function checkTlv(pdu: Pdu, name: string, text: string, where: string): void {
  const vendor = /^(?:vendor|unknown)_0x([0-9a-f]{4})$/.exec(name);
  const tag = vendor !== null ? parseInt(vendor[1]!, 16) : tlvDefinitions[name as TlvName]?.tag;
  assert.ok(tag !== undefined, `${where}: TLV ${name} is in our registry`);
  const found = pdu.tlvs.find((t) => t.tag === tag);
  assert.ok(found !== undefined, `${where}: TLV ${name} decoded`);
  if (vendor !== null) {
    assert.equal(tlvNameByTag.get(tag), undefined, `${where}: ${name} is not a 3.4 TLV`);
    assert.deepEqual(found.value, unescapeOctets(text.slice(1, -1)), `${where}: ${name} kept raw`);
    return;
  }
  const typed = tlvValue(pdu.tlvs, name as TlvName);
  if (text.startsWith('"')) {
    const expected = unescapeOctets(text.slice(1, -1));
    assert.deepEqual(typeof typed === 'string' ? Buffer.from(typed, 'latin1') : typed, expected, `${where}: ${name}`);
  } else if (typeof typed === 'number') {
    assert.equal(typed, Number(/^[0-9x]+/.exec(text)![0]), `${where}: ${name}`);
  } else {
    assert.ok(Buffer.isBuffer(typed));
    const asNumber = typed.length === 1 ? String(typed[0]) : null;
    assert.ok(typed.toString('hex') === text || asNumber === text, `${where}: ${name} ${typed.toString('hex')} vs ${text}`);
  }
}

function checkShortMessage(pdu: Pdu, decoded: string, where: string): void {
  const match = /sm=(?:udh=([0-9a-f]+) )?(UCS2:)?"((?:[^"\\]|\\.)*)"/.exec(decoded);
  if (match === null) return;
  const sm = field(pdu, 'shortMessage') as Buffer;
  let body = sm;
  if (match[1] !== undefined) {
    assert.equal(sm.subarray(0, match[1].length / 2).toString('hex'), match[1], `${where}: UDH`);
    body = sm.subarray(match[1].length / 2);
  }
  if (match[2] !== undefined) {
    assert.equal(Buffer.from(body).swap16().toString('utf16le'), match[3], `${where}: UCS2 text`);
  } else {
    assert.deepEqual(body, unescapeOctets(match[3]!), `${where}: short_message octets`);
  }
}

for (const r of rows.filter((x) => !x.malformed)) {
  test(`smpp-pdus.tsv ${r.name}: decodes to the described fields and re-encodes to the same bytes`, () => {
    const result = decodePdu(r.bytes);
    assert.ok(result.ok, `decode failed: ${result.ok ? '' : result.error.detail}`);
    const pdu = result.pdu;
    assert.equal(pdu.command, r.command);
    assert.equal(pdu.sequenceNumber, numeric(r.decoded, 'seq'));
    assert.equal(pdu.commandStatus, numeric(r.decoded, 'status'));
    for (const [described, ours] of Object.entries(quotedFields)) {
      const expected = quoted(r.decoded, described);
      if (expected !== undefined) assert.equal(field(pdu, ours), expected, described);
    }
    for (const [described, ours] of Object.entries(numericFields)) {
      const expected = numeric(r.decoded, described);
      if (expected !== undefined) assert.equal(field(pdu, ours), expected, described);
    }
    for (const [side, prefix] of [['src', 'sourceAddr'], ['dst', 'destAddr']] as const) {
      const expected = address(r.decoded, side);
      if (expected === undefined) continue;
      assert.equal(field(pdu, `${prefix}Ton`), expected.ton, `${side} ton`);
      assert.equal(field(pdu, `${prefix}Npi`), expected.npi, `${side} npi`);
      assert.equal(field(pdu, side === 'src' ? 'sourceAddr' : 'destinationAddr'), expected.address, `${side} address`);
    }
    const messageState = /(?<![a-z_])message_state=(\d+)/.exec(r.decoded.split(' TLVs: ')[0]!);
    if (messageState !== null) assert.equal(field(pdu, 'messageState'), Number(messageState[1]));
    if (r.decoded.includes('(no message_id field)')) assert.equal(pdu.bodyOmitted, true);
    checkShortMessage(pdu, r.decoded, r.name);
    const tlvs = tlvList(r.decoded);
    assert.equal(pdu.tlvs.length, tlvs.length, 'TLV count');
    for (const [name, text] of tlvs) checkTlv(pdu, name, text, r.name);
    assert.equal(encodePdu(pdu).toString('hex'), r.bytes.toString('hex'), 're-encoded bytes');
  });
}

/** What each malformed row must produce, keyed by its hex. */
const malformedExpectations: Record<string, { kind: DecodeErrorKind; seq: number; answerWith: CommandName | null; status: number }> = {
  '0000001180000004000000000a342ee139': { kind: 'unterminatedCString', seq: 171192033, answerWith: null, status: CommandStatus.ESME_RINVCMDLEN },
  '00000039000000050000000000000001000101393939393139393134353933000000363436340000000000000000080010c1e1e9edf3faf1fc': {
    kind: 'shortMessageOverrun',
    seq: 1,
    answerWith: 'deliver_sm_resp',
    status: CommandStatus.ESME_RINVMSGLEN,
  },
  '0000001000000015000000000a342e': { kind: 'truncatedHeader', seq: 0, answerWith: 'generic_nack', status: CommandStatus.ESME_RINVCMDLEN },
  '0000001000000110000000000a342ee7': { kind: 'unknownCommand', seq: 171192039, answerWith: 'generic_nack', status: CommandStatus.ESME_RINVCMDID },
  f000001100000110000000000a342ee7: { kind: 'lengthMismatch', seq: 171192039, answerWith: 'generic_nack', status: CommandStatus.ESME_RINVCMDLEN },
  '3800000f800000060000000000000001': { kind: 'lengthMismatch', seq: 1, answerWith: 'generic_nack', status: CommandStatus.ESME_RINVCMDLEN },
  '000000118000000400000000000000010012': { kind: 'lengthMismatch', seq: 1, answerWith: 'generic_nack', status: CommandStatus.ESME_RINVCMDLEN },
};

test('every malformed smpp-pdus.tsv row has an expectation here', () => {
  const malformed = rows.filter((r) => r.malformed).map((r) => r.bytes.toString('hex'));
  assert.deepEqual(malformed.sort(), Object.keys(malformedExpectations).sort());
});

for (const r of rows.filter((x) => x.malformed)) {
  test(`smpp-pdus.tsv ${r.name}: a decode error that says how to answer`, () => {
    const expected = malformedExpectations[r.bytes.toString('hex')];
    assert.ok(expected !== undefined);
    const result = decodePdu(r.bytes);
    assert.ok(!result.ok);
    assert.equal(result.error.kind, expected.kind, result.error.detail);
    assert.equal(result.error.sequenceNumber, expected.seq);
    assert.equal(result.error.answerWith, expected.answerWith);
    assert.equal(result.error.commandStatusToAnswer, expected.status);
  });
}

function submitSm(overrides: Partial<PduOf<'submit_sm'>> = {}): PduOf<'submit_sm'> {
  return {
    command: 'submit_sm', commandStatus: 0, sequenceNumber: 7, tlvs: [],
    serviceType: '', sourceAddrTon: 5, sourceAddrNpi: 0, sourceAddr: 'BANK', destAddrTon: 1, destAddrNpi: 1,
    destinationAddr: '358401234567', esmClass: 0, protocolId: 0, priorityFlag: 0, scheduleDeliveryTime: '',
    validityPeriod: '', registeredDelivery: 1, replaceIfPresentFlag: 0, dataCoding: 0, smDefaultMsgId: 0,
    shortMessage: Buffer.from('hello'), ...overrides,
  };
}

test('request body errors are answered with the matching _resp and its status', () => {
  const good = encodePdu(submitSm({ tlvs: [tlv('sar_msg_ref_num', 0x1234)] }));
  const overrun = Buffer.from(good);
  overrun.writeUInt16BE(9, overrun.length - 4); // TLV length past the end
  const overrunResult = decodePdu(overrun);
  assert.ok(!overrunResult.ok);
  assert.equal(overrunResult.error.kind, 'tlvTruncated');
  assert.equal(overrunResult.error.answerWith, 'submit_sm_resp');
  assert.equal(overrunResult.error.commandStatusToAnswer, CommandStatus.ESME_RINVOPTPARSTREAM);
  const wrongSize = encodePdu(submitSm({ tlvs: [{ tag: 0x020c, value: Buffer.from([1]) }] }));
  const wrongResult = decodePdu(wrongSize);
  assert.ok(!wrongResult.ok);
  assert.equal(wrongResult.error.kind, 'tlvLengthInvalid');
  assert.equal(wrongResult.error.commandStatusToAnswer, CommandStatus.ESME_RINVPARLEN);
  const stray = Buffer.concat([good, Buffer.from([0x02])]);
  stray.writeUInt32BE(stray.length, 0);
  const strayResult = decodePdu(stray);
  assert.ok(!strayResult.ok);
  assert.equal(strayResult.error.kind, 'tlvTruncated');
  const bind = Buffer.from('0000001000000009000000000000002a', 'hex');
  const bindResult = decodePdu(bind);
  assert.ok(!bindResult.ok);
  assert.equal(bindResult.error.kind, 'unterminatedCString');
  assert.equal(bindResult.error.answerWith, 'bind_transceiver_resp');
  assert.equal(bindResult.error.sequenceNumber, 42);
});

test('submit_multi with a bad dest_flag is answered submit_multi_resp ESME_RINVDESTFLAG', () => {
  const bytes = encodePdu({
    command: 'submit_multi', commandStatus: 0, sequenceNumber: 3, tlvs: [], serviceType: '', sourceAddrTon: 0, sourceAddrNpi: 0,
    sourceAddr: 'x', destAddresses: [{ kind: 'distributionList', name: 'L' }], esmClass: 0, protocolId: 0, priorityFlag: 0,
    scheduleDeliveryTime: '', validityPeriod: '', registeredDelivery: 0, replaceIfPresentFlag: 0, dataCoding: 0,
    smDefaultMsgId: 0, shortMessage: Buffer.alloc(0),
  });
  bytes[16 + 1 + 1 + 1 + 2 + 1] = 3; // the dest_flag after service_type, ton, npi, "x", number_of_dests
  const result = decodePdu(bytes);
  assert.ok(!result.ok);
  assert.equal(result.error.kind, 'invalidDestFlag');
  assert.equal(result.error.answerWith, 'submit_multi_resp');
  assert.equal(result.error.commandStatusToAnswer, CommandStatus.ESME_RINVDESTFLAG);
});

test('submit_multi_resp with unsuccessful SMEs round-trips', () => {
  const pdu: Pdu = {
    command: 'submit_multi_resp', commandStatus: 0, sequenceNumber: 9, tlvs: [], messageId: 'm1',
    unsuccessSmes: [{ ton: 1, npi: 1, address: '4670000000', errorStatusCode: CommandStatus.ESME_RINVDSTADR }],
  };
  const result = decodePdu(encodePdu(pdu));
  assert.ok(result.ok);
  assert.deepEqual(result.pdu, pdu);
});

test('unknown TLVs are kept raw and re-encoded unchanged, in order', () => {
  const tlvs = [{ tag: 0x1400, value: Buffer.from('abc') }, tlv('receipted_message_id', '38601fa'), { tag: 0xfffe, value: Buffer.alloc(0) }];
  const result = decodePdu(encodePdu(submitSm({ tlvs })));
  assert.ok(result.ok);
  assert.deepEqual(result.pdu.tlvs, tlvs);
  assert.equal(tlvValue(result.pdu.tlvs, 'receipted_message_id'), '38601fa');
});

test('encodePdu refuses what the wire cannot carry', () => {
  assert.throws(() => encodePdu(submitSm({ shortMessage: Buffer.alloc(256) })), RangeError);
  assert.throws(() => encodePdu(submitSm({ esmClass: 256 })), RangeError);
  const withoutDestination: Omit<PduOf<'submit_sm'>, 'destinationAddr'> & { destinationAddr?: string } = submitSm();
  delete withoutDestination.destinationAddr;
  // @ts-expect-error the type requires every mandatory field of submit_sm
  const incomplete: Pdu = withoutDestination;
  assert.throws(() => encodePdu(incomplete), /destinationAddr is missing/);
});

test('every request but outbind and alert_notification has a response command', () => {
  for (const name of Object.keys(commandIds) as CommandName[]) {
    const response = responseCommandOf(name);
    if (name.endsWith('_resp') || name === 'generic_nack' || name === 'outbind' || name === 'alert_notification') assert.equal(response, null, name);
    else assert.equal(response, `${name}_resp`, name);
  }
});

test('command_status classification: throttling, transient, permanent', () => {
  assert.equal(classifyCommandStatus(CommandStatus.ESME_ROK), 'ok');
  assert.equal(classifyCommandStatus(CommandStatus.ESME_RTHROTTLED), 'throttled');
  assert.equal(classifyCommandStatus(CommandStatus.ESME_RMSGQFUL), 'throttled');
  assert.equal(classifyCommandStatus(CommandStatus.ESME_RSYSERR), 'transient');
  assert.equal(classifyCommandStatus(CommandStatus.ESME_RX_T_APPN), 'transient');
  assert.equal(classifyCommandStatus(CommandStatus.ESME_RINVDSTADR), 'permanent');
  assert.equal(classifyCommandStatus(0x1d), 'permanent');
  assert.equal(commandStatusName(0x58), 'ESME_RTHROTTLED');
  assert.equal(commandStatusName(0x1d), 'reserved 0x0000001d');
  assert.equal(commandStatusName(0x401), 'vendor 0x00000401');
});

test('TLV registry: tags are unique and typed values round-trip', () => {
  assert.equal(tlvNameByTag.size, Object.keys(tlvDefinitions).length);
  const tlvs = [tlv('sar_msg_ref_num', 0xbeef), tlv('sar_total_segments', 3), tlv('qos_time_to_live', 0xfffffffe), tlv('message_payload', Buffer.from([0, 1]))];
  assert.equal(tlvValue(tlvs, 'sar_msg_ref_num'), 0xbeef);
  assert.equal(tlvValue(tlvs, 'sar_total_segments'), 3);
  assert.equal(tlvValue(tlvs, 'qos_time_to_live'), 0xfffffffe);
  assert.deepEqual(tlvValue(tlvs, 'message_payload'), Buffer.from([0, 1]));
  assert.equal(tlvValue(tlvs, 'message_state'), undefined);
  assert.equal(tlvValue([{ tag: 0x001e, value: Buffer.from('abc') }], 'receipted_message_id'), 'abc', 'a cstring without its NUL still reads');
});
