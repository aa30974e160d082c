/**
 * The deliver_sm that carries a callback event to a client's SMPP bind (docs/smpp-server.md):
 * a receipt in the SMPP 3.4 Appendix B text form with the receipted_message_id and message_state
 * TLVs, or an MO as a plain deliver_sm. Pure.
 */
import { smppMessageStateOf, type MessageStatus } from '../domain/status.js';
import type { PduOf } from '../smpp/pdu.js';
import { tlv } from '../smpp/tlv.js';
import type { CallbackEvent } from '../storage/port.js';
import { chooseEncoding } from '../text/encoding.js';
import { encodeGsm7 } from '../text/gsm7.js';
import { encodeUcs2 } from '../text/ucs2.js';

/** esm_class "SMSC Delivery Receipt" (bits 5–2 = 0001). */
const ESM_CLASS_RECEIPT = 0x04;
const DATA_CODING_DEFAULT = 0x00;
const DATA_CODING_UCS2 = 0x08;
/** Longer text goes in message_payload (short_message holds at most 254 octets). */
const MAX_SHORT_MESSAGE = 254;

/** The `stat:` word of each SMPP message_state (Appendix B). */
const statOfState: Readonly<Record<number, string>> = {
  1: 'ENROUTE', 2: 'DELIVRD', 3: 'EXPIRED', 4: 'DELETED', 5: 'UNDELIV', 6: 'ACCEPTD', 7: 'UNKNOWN', 8: 'REJECTD',
};

function text(payload: CallbackEvent['payload'], name: string): string {
  const value = payload[name];
  return value === null || value === undefined ? '' : String(value);
}

/** YYMMDDhhmm in UTC, as Appendix B writes receipt dates; zeros when unknown. */
export function receiptDate(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return '0000000000';
  return new Date(ms).toISOString().replace(/[-T:]/g, '').slice(2, 12);
}

/** Three digits, as the err: field is usually written; a non-numeric code is kept as given. */
function errField(code: string): string {
  if (code === '') return '000';
  return /^\d+$/.test(code) ? code.padStart(3, '0').slice(-3) : code;
}

function basePdu(sourceAddr: string, destinationAddr: string): Omit<PduOf<'deliver_sm'>, 'esmClass' | 'dataCoding' | 'shortMessage' | 'tlvs'> {
  return {
    command: 'deliver_sm', commandStatus: 0, sequenceNumber: 0, serviceType: '',
    sourceAddrTon: 1, sourceAddrNpi: 1, sourceAddr, destAddrTon: 0, destAddrNpi: 0, destinationAddr,
    protocolId: 0, priorityFlag: 0, scheduleDeliveryTime: '', validityPeriod: '', registeredDelivery: 0, replaceIfPresentFlag: 0,
    smDefaultMsgId: 0,
  };
}

export function receiptPdu(event: CallbackEvent): PduOf<'deliver_sm'> {
  const { payload } = event;
  const messageId = text(payload, 'messageId');
  const status = text(payload, 'status') as MessageStatus;
  const state = smppMessageStateOf[status] ?? 7;
  const segments = String(payload['segments'] ?? 1).padStart(3, '0');
  const delivered = status === 'delivered' ? segments : '000';
  const body = `id:${messageId} sub:${segments} dlvrd:${delivered} submit date:${receiptDate(text(payload, 'submittedAt'))} ` +
    `done date:${receiptDate(text(payload, 'doneAt'))} stat:${statOfState[state] ?? 'UNKNOWN'} err:${errField(text(payload, 'errorCode'))} text:`;
  return {
    ...basePdu(text(payload, 'recipient'), text(payload, 'sender')),
    esmClass: ESM_CLASS_RECEIPT,
    dataCoding: DATA_CODING_DEFAULT,
    shortMessage: Buffer.from(body, 'latin1'),
    tlvs: [tlv('receipted_message_id', messageId), tlv('message_state', state)],
  };
}

export function moPdu(event: CallbackEvent): PduOf<'deliver_sm'> {
  const { payload } = event;
  const body = text(payload, 'text');
  const gsm = chooseEncoding(body) === 'gsm7';
  // GSM 7-bit unpacked (one septet per octet), as SMPP carries the default alphabet.
  const octets = gsm ? encodeGsm7(body) : encodeUcs2(body);
  const long = octets.length > MAX_SHORT_MESSAGE;
  return {
    ...basePdu(text(payload, 'from'), text(payload, 'shortCode')),
    esmClass: 0,
    dataCoding: gsm ? DATA_CODING_DEFAULT : DATA_CODING_UCS2,
    shortMessage: long ? Buffer.alloc(0) : octets,
    tlvs: long ? [tlv('message_payload', octets)] : [],
  };
}

export function eventPdu(event: CallbackEvent): PduOf<'deliver_sm'> {
  return event.kind === 'dlr' ? receiptPdu(event) : moPdu(event);
}
