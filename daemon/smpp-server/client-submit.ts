/**
 * What a client's submit_sm (or data_sm) asks for, in the API's terms (SubmitParams), so that it is
 * validated, limited and enqueued exactly as an HTTP submission is. Pure: `nowMs` is the caller's.
 * A part of a concatenated message (UDH or SAR TLVs) comes back as a `part` to reassemble first.
 */
import type { SubmitParams } from '../api/submit-params.js';
import { concatInfoOf } from '../dispatch/concat-info.js';
import { Errors, SmsprocError } from '../domain/errors.js';
import type { ClientRequestPdu } from './smsc-session.js';
import { tlvValue } from '../smpp/tlv.js';
import { alphabetOfDataCoding, decodeShortMessage } from '../text/short-message-decoder.js';
import { parseSmppTime } from './smpp-time.js';

export type ClientSubmit =
  | { readonly kind: 'message'; readonly params: SubmitParams }
  /** One part of a long message: `params` lack the text until every part is in. */
  | {
      readonly kind: 'part';
      readonly key: string;
      readonly total: number;
      readonly seq: number;
      readonly payload: Uint8Array;
      readonly dataCoding: number;
      readonly params: SubmitParams;
    };

/** esm_class bits 5–2: a client sends plain messages; receipts and acknowledgements come from an SMSC. */
const ESM_CLASS_TYPE_MASK = 0x3c;
/** registered_delivery bits 1–0: 1 receipt on final outcome, 2 on failure only (both get one here), 3 reserved. */
const REGISTERED_DELIVERY_RECEIPT = 0x03;
const MINUTE_MS = 60_000;

function fieldsOf(pdu: ClientRequestPdu): { readonly esmClass: number; readonly dataCoding: number; readonly registeredDelivery: number; readonly priority: number; readonly schedule: string; readonly validity: string; readonly shortMessage: Buffer } {
  if (pdu.command === 'data_sm') {
    return { esmClass: pdu.esmClass, dataCoding: pdu.dataCoding, registeredDelivery: pdu.registeredDelivery, priority: 0, schedule: '', validity: '', shortMessage: Buffer.alloc(0) };
  }
  return {
    esmClass: pdu.esmClass,
    dataCoding: pdu.dataCoding,
    registeredDelivery: pdu.registeredDelivery,
    priority: pdu.priorityFlag,
    schedule: pdu.scheduleDeliveryTime,
    validity: pdu.validityPeriod,
    shortMessage: pdu.shortMessage,
  };
}

export function readClientSubmit(pdu: ClientRequestPdu, nowMs: number): ClientSubmit {
  const fields = fieldsOf(pdu);
  if ((fields.esmClass & ESM_CLASS_TYPE_MASK) !== 0) {
    throw new SmsprocError(Errors.PARAMETER_INVALID, { parameter: 'esm_class', detail: 'a client sends plain messages (bits 5-2 zero)' });
  }
  if (alphabetOfDataCoding(fields.dataCoding) === 'binary') {
    throw new SmsprocError(Errors.CODING_INVALID, { coding: `data_coding 0x${fields.dataCoding.toString(16).padStart(2, '0')}` });
  }
  const payloadTlv = tlvValue(pdu.tlvs, 'message_payload');
  if (payloadTlv !== undefined && fields.shortMessage.length > 0) {
    throw new SmsprocError(Errors.PARAMETER_INVALID, { parameter: 'message_payload', detail: 'give the text in short_message or message_payload, not both' });
  }
  const octets = payloadTlv ?? fields.shortMessage;
  const schedule = parseSmppTime(fields.schedule, nowMs);
  const validity = parseSmppTime(fields.validity, nowMs);
  const startMs = schedule.kind === 'at' ? Math.max(nowMs, schedule.atMs) : nowMs;
  const params: SubmitParams = {
    from: pdu.sourceAddr,
    to: [pdu.destinationAddr],
    text: undefined,
    dlr: (fields.registeredDelivery & REGISTERED_DELIVERY_RECEIPT) !== 0,
    // An invalid or past validity becomes "0" minutes, which validation refuses with its range.
    validity: validity.kind === 'absent' ? undefined : String(validity.kind === 'at' ? Math.max(0, Math.ceil((validity.atMs - startMs) / MINUTE_MS)) : 0),
    // An unreadable time goes on as written, for validation to refuse with its rule.
    schedule: schedule.kind === 'at' ? new Date(schedule.atMs).toISOString() : schedule.kind === 'invalid' ? fields.schedule : undefined,
    priority: fields.priority >= 2 ? 'high' : 'normal',
    clientRef: undefined,
    // UCS-2 stays UCS-2 (the client chose it); other alphabets are re-encoded as the text needs.
    coding: alphabetOfDataCoding(fields.dataCoding) === 'ucs2' ? 'ucs2' : 'auto',
  };
  const concat = concatInfoOf(fields.esmClass, octets, {
    msgRefNum: tlvValue(pdu.tlvs, 'sar_msg_ref_num'),
    totalSegments: tlvValue(pdu.tlvs, 'sar_total_segments'),
    segmentSeqnum: tlvValue(pdu.tlvs, 'sar_segment_seqnum'),
  });
  if (concat.kind === 'malformed') throw new SmsprocError(Errors.PARAMETER_INVALID, { parameter: 'short_message', detail: concat.reason });
  if (concat.kind === 'single' || concat.info.total === 1) {
    return { kind: 'message', params: { ...params, text: decodeShortMessage(Buffer.from(concat.payload), fields.dataCoding) } };
  }
  const key = [pdu.sourceAddr, pdu.destinationAddr, concat.info.reference, concat.info.total, fields.dataCoding].join('|');
  return { kind: 'part', key, total: concat.info.total, seq: concat.info.seq, payload: concat.payload, dataCoding: fields.dataCoding, params };
}
