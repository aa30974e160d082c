/**
 * The submit_sm PDUs of one claimed MT message on one route (pure): split() by the route's
 * concatenation method and GSM packing, then one PDU per part with the route's addressing, UDHI or
 * SAR TLVs or message_payload, registered_delivery and the validity period.
 */
import type { RouteRecord } from '../domain/provisioning.js';
import type { PduOf } from '../smpp/pdu.js';
import { tlv, type Tlv } from '../smpp/tlv.js';
import type { ClaimedMt } from '../storage/port.js';
import { split } from '../text/segmentation.js';

const ESM_CLASS_UDHI = 0x40;
const DATA_CODING_UCS2 = 0x08;
/** Validities closer than this are left to the SMSC's default: a past time would be refused. */
const MIN_VALIDITY_MS = 60_000;

/** The part of a route the PDUs depend on. */
export type SubmitRoute = Pick<
  RouteRecord,
  'concatenation' | 'gsmPacking' | 'defaultDataCoding' | 'sourceTon' | 'sourceNpi' | 'destTon' | 'destNpi'
>;

/** SMPP absolute time in UTC: YYMMDDhhmmss, tenths, quarter-hours offset 00, '+'. */
export function smppAbsoluteTime(at: Date): string {
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(at.getUTCFullYear() % 100)}${two(at.getUTCMonth() + 1)}${two(at.getUTCDate())}${two(at.getUTCHours())}${two(at.getUTCMinutes())}${two(at.getUTCSeconds())}${Math.floor(at.getUTCMilliseconds() / 100)}00+`;
}

/**
 * One PDU per part, in part order. `reference` is the concatenation reference shared by the parts
 * (taken modulo 256 for udh8, 65536 otherwise); `nowMs` decides whether the validity is worth sending.
 */
export function submitPdusOf(message: ClaimedMt, route: SubmitRoute, reference: number, nowMs: number): PduOf<'submit_sm'>[] {
  const method = route.concatenation;
  const ref = method === 'udh8' ? reference % 256 : reference % 65_536;
  const result = split(message.text, method, message.encoding, { reference: ref, gsmPacking: route.gsmPacking });
  const dataCoding = message.encoding === 'ucs2' ? DATA_CODING_UCS2 : route.defaultDataCoding;
  const validityPeriod = message.expiresAt.getTime() - nowMs >= MIN_VALIDITY_MS ? smppAbsoluteTime(message.expiresAt) : '';
  return result.parts.map((part) => {
    const tlvs: Tlv[] = [];
    if (part.sar !== null) {
      tlvs.push(tlv('sar_msg_ref_num', part.sar.sarMsgRefNum),
        tlv('sar_total_segments', part.sar.sarTotalSegments),
        tlv('sar_segment_seqnum', part.sar.sarSegmentSeqnum),
      );
    }
    const payload = method === 'payload';
    if (payload) tlvs.push(tlv('message_payload', part.octets));
    return {
      command: 'submit_sm',
      commandStatus: 0,
      sequenceNumber: 0,
      tlvs,
      serviceType: '',
      sourceAddrTon: route.sourceTon,
      sourceAddrNpi: route.sourceNpi,
      sourceAddr: message.sender,
      destAddrTon: route.destTon,
      destAddrNpi: route.destNpi,
      destinationAddr: message.recipient,
      esmClass: part.udh !== null ? ESM_CLASS_UDHI : 0,
      protocolId: 0,
      priorityFlag: message.priority === 0 ? 1 : 0,
      scheduleDeliveryTime: '',
      validityPeriod,
      // Always asked: the ledger, status lookups and statistics need the final state; dlrRequested
      // decides only whether the client gets a callback.
      registeredDelivery: 1,
      replaceIfPresentFlag: 0,
      dataCoding,
      smDefaultMsgId: 0,
      shortMessage: payload ? Buffer.alloc(0) : part.octets,
    };
  });
}
