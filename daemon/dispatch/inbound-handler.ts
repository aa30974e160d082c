/**
 * What an SMSC delivers to us on any bind (docs/dispatch.md, "Inbound"): receipts are correlated in
 * the Store, MO are reassembled, routed and recorded; deliver_sm_resp goes out only after the commit.
 * A PDU we cannot use is kept as an inbound problem and answered OK: a bad PDU never stops a bind,
 * and an error answer would only make the SMSC send it again. A store failure is answered with
 * ESME_RX_T_APPN so that the SMSC redelivers.
 */
import type { BindId, RouteId } from '../domain/ids.js';
import { bindIdOf } from '../domain/ids.js';
import type { RouteRecord } from '../domain/provisioning.js';
import type { Logger } from '../log.js';
import { noInboundEvents, type InboundEvents } from '../stats/metric-events.js';
import type { MoRouter } from '../routing/mo-router.js';
import type { ScenarioDirectory, ScenarioHit } from '../scenarios/scenario-directory.js';
import type { ScenarioMo, ScenarioRunner } from '../scenarios/scenario-runner.js';
import { encodePdu } from '../smpp/codec.js';
import { CommandStatus } from '../smpp/command-status.js';
import type { DeliverHandler } from '../smpp/esme-driver.js';
import { receiptFromPdu, receiptIdCandidates } from '../smpp/receipt-parser.js';
import type { DeliverablePdu } from '../smpp/session-types.js';
import { tlvValue } from '../smpp/tlv.js';
import type { Store } from '../storage/port.js';
import { decodeShortMessage } from '../text/short-message-decoder.js';
import { concatInfoOf } from './concat-info.js';
import { moDedupKey } from './mo-dedup.js';
import { MoReassembler, type ReassembledMo } from './mo-reassembly.js';

export interface InboundOptions {
  /** How long a receipt that matches no submit yet is held before it becomes a problem. */
  readonly receiptHoldMs: number;
  readonly reassemblyTimeoutMs: number;
  readonly reassemblyMaxOpenSets: number;
  /** How often timed-out reassembly sets are forwarded as partial MO. */
  readonly reassemblyTickMs: number;
  readonly dedupWindowMs: number;
  /** Deduplicate MO that carry no SMSC identity on source, destination and text (docs/mo.md). */
  readonly dedupWithoutIdentity: boolean;
}

export const defaultInboundOptions: InboundOptions = {
  receiptHoldMs: 600_000,
  reassemblyTimeoutMs: 600_000,
  reassemblyMaxOpenSets: 10_000,
  reassemblyTickMs: 1_000,
  dedupWindowMs: 120_000,
  dedupWithoutIdentity: true,
};

export interface InboundDeps {
  readonly store: Store;
  /** The MO router of the current provisioning (rebuilt by the caller on a version change). */
  readonly moRouter: () => MoRouter;
  readonly logger: Logger;
  readonly options?: Partial<InboundOptions>;
  /** Receipts and MO received, for metrics. */
  readonly events?: InboundEvents;
  /** Scenarios of the current provisioning and their runner: an MO bound to one is answered before deliver_sm_resp. */
  readonly scenarios?: { readonly directory: () => ScenarioDirectory; readonly runner: ScenarioRunner };
}

interface PartTag {
  readonly partId: string;
  readonly routeId: RouteId;
}

const MESSAGE_TYPE_MASK = 0x3c;
/** Tries of a reassembled MO's scenario step (200 ms, 400 ms, … apart) before it is given up and logged. */
const REASSEMBLED_SCENARIO_ATTEMPTS = 5;
const RECEIPT_TYPE = 0x04;

export class InboundHandler {
  private readonly options: InboundOptions;
  private readonly reassembler: MoReassembler<PartTag>;
  private readonly log: Logger;
  private tickTimer: NodeJS.Timeout | null = null;
  private readonly pending = new Set<Promise<void>>();
  private readonly events: InboundEvents;

  constructor(private readonly deps: InboundDeps) {
    this.events = deps.events ?? noInboundEvents;
    this.options = { ...defaultInboundOptions, ...deps.options };
    this.reassembler = new MoReassembler<PartTag>({ timeoutMs: this.options.reassemblyTimeoutMs, maxOpenSets: this.options.reassemblyMaxOpenSets });
    this.log = deps.logger.child({ inbound: true });
  }

  /** Rebuilds the reassembly state from the parts held in the Store, then ticks it. */
  async start(): Promise<void> {
    const held = await this.deps.store.loadHeldMoParts();
    const ready: ReassembledMo<PartTag>[] = [];
    for (const part of held) {
      const result = this.reassembler.add({
        source: part.source,
        dest: part.shortCode,
        reference: part.reference,
        total: part.total,
        seq: part.seq,
        text: part.text,
        receivedAt: part.receivedAt.getTime(),
        tag: { partId: part.partId, routeId: part.routeId },
      });
      ready.push(...result.ready);
    }
    if (held.length > 0) this.log.info({ parts: held.length }, 'held MO parts reloaded');
    await Promise.all(ready.map((mo) => this.recordReassembled(mo)));
    this.tickTimer = setInterval(() => {
      for (const mo of this.reassembler.tick(Date.now())) this.track(this.recordReassembled(mo));
    }, this.options.reassemblyTickMs);
  }

  /** Stops ticking and waits for records in progress. Held parts stay in the Store for the next start. */
  async stop(): Promise<void> {
    if (this.tickTimer !== null) clearInterval(this.tickTimer);
    this.tickTimer = null;
    while (this.pending.size > 0) await Promise.all(this.pending);
  }

  /** The driver's deliver handler for one bind of a route. */
  handlerFor(route: RouteRecord, bindIndex: number): DeliverHandler {
    const bindId = bindIdOf(route.id, bindIndex);
    return (pdu, answer) => {
      const work = this.isReceipt(pdu) ? this.receipt(route, bindId, pdu) : this.mo(route, bindId, pdu);
      this.track(
        work.then(
          () => answer(),
          (error: unknown) => {
            this.log.error({ err: error, routeId: route.id }, 'inbound PDU not committed; asking the SMSC to redeliver');
            answer(CommandStatus.ESME_RX_T_APPN);
          },
        ),
      );
    };
  }

  private track(work: Promise<void>): void {
    this.pending.add(work);
    void work.finally(() => this.pending.delete(work));
  }

  /**
   * Not an MO: a message type in esm_class bits 5-2 (0x04 SMSC delivery receipt, 0x20 intermediate
   * notification; SME acknowledgements end up as problems) or a receipted_message_id TLV.
   */
  private isReceipt(pdu: DeliverablePdu): boolean {
    return (pdu.esmClass & MESSAGE_TYPE_MASK) !== 0 || tlvValue(pdu.tlvs, 'receipted_message_id') !== undefined;
  }

  private async receipt(route: RouteRecord, bindId: BindId, pdu: DeliverablePdu): Promise<void> {
    // A receipt known only by its TLVs may come without the esm_class bits receiptFromPdu looks for.
    const parsed = receiptFromPdu((pdu.esmClass & MESSAGE_TYPE_MASK) !== 0 ? pdu : { ...pdu, esmClass: pdu.esmClass | RECEIPT_TYPE });
    const raw = rawText(pdu);
    const receipt = parsed.ok ? parsed.receipt : null;
    const id = receipt?.id ?? null;
    const status = receipt?.status ?? null;
    if (receipt === null || id === null || status === null) {
      const detail = parsed.ok ? 'receipt without an id or a known status' : parsed.error.detail;
      this.events.receipt(route.id, 'unknown', 'unparsed');
      await this.problem('receipt-unparsed', route.id, bindId, pdu, detail);
      return;
    }
    const candidates = new Set(receiptIdCandidates(id, route.receiptIdFormat));
    if (receipt.textId !== null && receipt.textId !== id) {
      for (const candidate of receiptIdCandidates(receipt.textId, route.receiptIdFormat)) candidates.add(candidate);
    }
    const outcome = await this.deps.store.applyReceipt({
      routeId: route.id,
      bindId,
      smscIdCandidates: [...candidates],
      status,
      stat: receipt.stat,
      errorCode: receipt.err,
      doneAt: receipt.doneDate,
      raw,
      receiptHoldMs: this.options.receiptHoldMs,
    });
    this.events.receipt(route.id, status, outcome.kind);
    if (outcome.kind === 'held') this.log.debug({ smscId: receipt.id }, 'receipt held until its submit is recorded');
  }

  private async mo(route: RouteRecord, bindId: BindId, pdu: DeliverablePdu): Promise<void> {
    const payload = tlvValue(pdu.tlvs, 'message_payload');
    const shortMessage = payload !== undefined && payload.length > 0 ? payload : 'shortMessage' in pdu ? pdu.shortMessage : Buffer.alloc(0);
    const concat = concatInfoOf(pdu.esmClass, shortMessage, {
      msgRefNum: tlvValue(pdu.tlvs, 'sar_msg_ref_num'),
      totalSegments: tlvValue(pdu.tlvs, 'sar_total_segments'),
      segmentSeqnum: tlvValue(pdu.tlvs, 'sar_segment_seqnum'),
    });
    if (concat.kind === 'malformed') {
      await this.problem('mo-malformed', route.id, bindId, pdu, concat.reason);
      return;
    }
    const text = decodeShortMessage(Buffer.from(concat.payload.buffer, concat.payload.byteOffset, concat.payload.byteLength), pdu.dataCoding);
    const source = pdu.sourceAddr;
    const shortCode = pdu.destinationAddr;
    const now = Date.now();
    if (concat.kind === 'single') {
      await this.record({ routeId: route.id, source, shortCode, text, partial: false, missing: [], consumed: [], receivedAt: now, part: null });
      return;
    }
    const { info } = concat;
    const dedupKey = moDedupKey({ source, dest: shortCode, text, part: info }, true) ?? '';
    const held = await this.deps.store.holdMoPart({
      routeId: route.id,
      source,
      shortCode,
      reference: info.reference,
      total: info.total,
      seq: info.seq,
      text,
      dedupKey,
      receivedAt: new Date(now),
    });
    if (held.kind === 'duplicate') return;
    const result = this.reassembler.add({ source, dest: shortCode, ...info, text, receivedAt: now, tag: { partId: held.partId, routeId: route.id } });
    // The part is durable: the SMSC may have its answer now; the assembled MO is recorded after.
    for (const mo of result.ready) this.track(this.recordReassembled(mo));
  }

  private async recordReassembled(mo: ReassembledMo<PartTag>): Promise<void> {
    try {
      await this.record({
        routeId: mo.tags[0]?.routeId ?? ('' as RouteId),
        source: mo.source,
        shortCode: mo.dest,
        text: mo.text,
        partial: mo.partial,
        missing: mo.missing,
        consumed: mo.tags.map((tag) => tag.partId),
        receivedAt: mo.firstReceivedAt,
        part: { reference: mo.reference, total: mo.total, seq: 0 },
      });
    } catch (error) {
      // Its parts stay held in the Store and are reassembled again at the next start.
      this.log.error({ err: error, source: mo.source, shortCode: mo.dest }, 'reassembled MO not recorded');
    }
  }

  private async record(mo: {
    routeId: RouteId;
    source: string;
    shortCode: string;
    text: string;
    partial: boolean;
    missing: readonly number[];
    consumed: readonly string[];
    receivedAt: number;
    part: { reference: number; total: number; seq: number } | null;
  }): Promise<void> {
    const route = this.deps.moRouter().route(mo.shortCode, mo.text);
    const scenarios = this.deps.scenarios;
    const hit = route.kind === 'client' && scenarios !== undefined
      ? scenarios.directory().find({ shortCode: mo.shortCode, clientId: route.clientId, keyword: route.keyword, args: route.args, text: mo.text })
      : null;
    const dedupKey = moDedupKey({ source: mo.source, dest: mo.shortCode, text: mo.text, part: mo.part }, this.options.dedupWithoutIdentity);
    const outcome = await this.deps.store.recordMo({
      routeId: mo.routeId,
      source: mo.source,
      shortCode: mo.shortCode,
      text: mo.text,
      clientId: route.kind === 'unrouted' ? null : route.clientId,
      keyword: route.keyword,
      args: route.args,
      partial: mo.partial,
      missingParts: mo.missing,
      dedupKey,
      dedupUntil: dedupKey === null ? null : new Date(mo.receivedAt + this.options.dedupWindowMs),
      receivedAt: new Date(mo.receivedAt),
      consumedPartIds: mo.consumed,
      forward: hit === null || hit.binding.forward,
    });
    if (outcome.kind === 'new') this.events.mo(mo.routeId);
    // Also for a duplicate: its step may not have been applied before (a crash); the runner counts it once.
    if (hit !== null && scenarios !== undefined) {
      const scenarioMo = { moId: outcome.moId, subscriber: mo.source, shortCode: mo.shortCode, receivedAt: mo.receivedAt };
      if (mo.part === null) await scenarios.runner.answer(hit, scenarioMo);
      else await this.answerReassembled(scenarios.runner, hit, scenarioMo);
    }
    if (outcome.kind === 'duplicate') this.log.info({ source: mo.source, shortCode: mo.shortCode }, 'MO redelivered: dropped as duplicate');
    else if (route.kind === 'unrouted') this.log.warn({ shortCode: mo.shortCode, reason: route.reason }, 'MO routed to no client');
  }

  /**
   * The parts of a reassembled MO were answered to the SMSC already, so nothing would redeliver it if
   * its scenario step failed: retry here a few times (keyed by the MO id, a retry counts once).
   */
  private async answerReassembled(runner: ScenarioRunner, hit: ScenarioHit, mo: ScenarioMo): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await runner.answer(hit, mo);
        return;
      } catch (error) {
        if (attempt >= REASSEMBLED_SCENARIO_ATTEMPTS) throw error;
        this.log.warn({ err: error, moId: mo.moId, attempt }, 'scenario step of a reassembled MO failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, 200 * 2 ** attempt));
      }
    }
  }

  private async problem(kind: 'receipt-unparsed' | 'mo-malformed', routeId: RouteId, bindId: BindId, pdu: DeliverablePdu, detail: string): Promise<void> {
    this.log.warn({ kind, routeId, detail }, 'inbound PDU kept as a problem');
    await this.deps.store.recordInboundProblem({ kind, routeId, bindId, rawHex: encodePdu(pdu).toString('hex'), detail });
  }
}

function rawText(pdu: DeliverablePdu): string {
  const payload = tlvValue(pdu.tlvs, 'message_payload');
  const octets = payload !== undefined && payload.length > 0 ? payload : 'shortMessage' in pdu ? pdu.shortMessage : Buffer.alloc(0);
  return octets.toString('latin1');
}
