import type { Config } from '../config/schema.js';
import { Errors, SmsprocError } from '../domain/errors.js';
import { newMessageId, type MessageId } from '../domain/ids.js';
import type { ClientRecord, RouteRecord } from '../domain/provisioning.js';
import type { Limiter } from '../limits/limiter.js';
import type { QueueGauge } from '../limits/queue-gauge.js';
import type { AcceptanceEvents } from '../stats/metric-events.js';
import type { ProvisioningCache } from '../storage/provisioning-cache.js';
import type { EnqueueRequest, MessageSource, MtSubmission, Store, TextEncoding } from '../storage/port.js';
import { analyze } from '../text/segmentation.js';
import { storeCall } from './store-call.js';
import type { SubmissionDraft } from './submission.js';

/**
 * From a validated draft to durable messages: route each recipient, count segments for the route's
 * concatenation method, check the client's queue bound and rate ceiling, then one enqueue whose
 * commit is durable before anything is answered. Every endpoint (JSON, form, XML, batch, Kannel)
 * goes through here.
 */
export interface AcceptanceDeps {
  readonly config: Config;
  readonly store: Store;
  readonly provisioning: ProvisioningCache;
  readonly limiter: Limiter;
  readonly queueGauge: QueueGauge;
  /** Counts accepted messages for metrics; nothing when absent. */
  readonly events?: AcceptanceEvents;
}

export interface AcceptedMessage {
  readonly id: MessageId;
  readonly recipient: string;
  readonly segments: number;
  readonly encoding: TextEncoding;
}

/** One unit ready to enqueue (one request, or one batch item). */
export interface PreparedUnit {
  readonly client: ClientRecord;
  readonly draft: SubmissionDraft;
  readonly request: EnqueueRequest;
  readonly messages: readonly Omit<AcceptedMessage, 'id'>[];
  readonly segments: number;
}

export type UnitOutcome =
  | { readonly kind: 'accepted' | 'replayed'; readonly messages: readonly AcceptedMessage[]; readonly scheduled: boolean }
  | { readonly kind: 'refused'; readonly error: SmsprocError };

export interface KannelExtras {
  readonly dlrMask: number | null;
  readonly dlrUrl: string | null;
}

export async function prepareUnit(
  deps: AcceptanceDeps,
  client: ClientRecord,
  draft: SubmissionDraft,
  idempotencyKey: string | null,
  source: MessageSource,
  kannel: KannelExtras = { dlrMask: null, dlrUrl: null },
): Promise<PreparedUnit> {
  const routes = await storeCall(() => deps.provisioning.routeNumbers(draft.recipients));
  const maxSegments = deps.config.messages.maxSegments;
  const forced = draft.coding === 'auto' ? undefined : draft.coding;
  const analyses = new Map<RouteRecord['concatenation'], { encoding: TextEncoding; segments: number }>();
  const submissions: MtSubmission[] = draft.recipients.map((recipient) => {
    const route = routes.get(recipient) ?? null;
    if (route === null) throw new SmsprocError(Errors.NO_ROUTE, { recipient });
    let analysis = analyses.get(route.concatenation);
    if (analysis === undefined) {
      const result = analyze(draft.text, route.concatenation, forced);
      if (!result.ok) throw new SmsprocError(Errors.TEXT_NOT_ENCODABLE, { coding: result.encoding, character: result.character });
      if (result.segments > maxSegments) throw new SmsprocError(Errors.TEXT_TOO_LONG, { segments: result.segments, max: maxSegments });
      analysis = { encoding: result.encoding, segments: result.segments };
      analyses.set(route.concatenation, analysis);
    }
    return {
      id: newMessageId(),
      clientId: client.id,
      clientRef: draft.clientRef,
      routeId: route.id,
      sender: draft.sender,
      recipient,
      text: draft.text,
      encoding: analysis.encoding,
      segments: analysis.segments,
      priority: draft.priority,
      notBefore: draft.notBefore,
      expiresAt: draft.expiresAt,
      dlrRequested: draft.dlrRequested,
      kannelDlrMask: kannel.dlrMask,
      kannelDlrUrl: kannel.dlrUrl,
      source,
    };
  });
  return {
    client,
    draft,
    request: { clientId: client.id, idempotencyKey, requestHash: draft.requestHash, messages: submissions },
    messages: submissions.map(({ recipient, segments, encoding }) => ({ recipient, segments, encoding })),
    segments: submissions.reduce((sum, message) => sum + message.segments, 0),
  };
}

/**
 * The client's queue bound and rate ceiling, for all units of one HTTP request together (they come
 * from one client). Throws QUEUE_FULL or RATE_LIMITED with a Retry-After.
 */
export async function admitUnits(deps: AcceptanceDeps, client: ClientRecord, units: readonly PreparedUnit[]): Promise<void> {
  const messages = units.reduce((sum, unit) => sum + unit.request.messages.length, 0);
  const segments = units.reduce((sum, unit) => sum + unit.segments, 0);
  if (messages === 0) return;
  const queued = await storeCall(() => deps.queueGauge.queued(client.id));
  if (queued + messages > client.maxQueued) {
    throw new SmsprocError(Errors.QUEUE_FULL, { queued, max: client.maxQueued, retryAfterS: 1 }, { retryAfterS: 1 });
  }
  const decision = await deps.limiter.acquire(client.id, segments);
  if (!decision.ok) {
    const retryAfterS = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
    throw new SmsprocError(Errors.RATE_LIMITED, { rate: client.maxTps ?? 0, retryAfterS }, { retryAfterS });
  }
}

/**
 * One submission end to end (HTTP or SMPP): route and count, admit (queue bound, rate ceiling), one
 * durable commit. Resolves only after the commit; throws the registry error of a refusal.
 */
export async function acceptDraft(
  deps: AcceptanceDeps,
  client: ClientRecord,
  draft: SubmissionDraft,
  idempotencyKey: string | null,
  source: MessageSource,
): Promise<Exclude<UnitOutcome, { kind: 'refused' }>> {
  const unit = await prepareUnit(deps, client, draft, idempotencyKey, source);
  await admitUnits(deps, client, [unit]);
  const [outcome] = await commitUnits(deps, [unit]);
  if (outcome === undefined) throw new Error('no enqueue outcome');
  if (outcome.kind === 'refused') throw outcome.error;
  return outcome;
}

/** One enqueue for all units (one group commit); one outcome per unit, in order. */
export async function commitUnits(deps: AcceptanceDeps, units: readonly PreparedUnit[]): Promise<UnitOutcome[]> {
  if (units.length === 0) return [];
  const outcomes = await storeCall(() => deps.store.enqueueMt(units.map((unit) => unit.request)));
  return units.map((unit, index): UnitOutcome => {
    const outcome = outcomes[index];
    const scheduled = unit.draft.notBefore !== null;
    switch (outcome?.kind) {
      case 'accepted':
      case 'replayed': {
        if (outcome.kind === 'accepted') {
          deps.queueGauge.accepted(unit.client.id, outcome.ids.length);
          for (const message of unit.request.messages) deps.events?.accepted(message.routeId, message.clientId, message.segments);
        }
        // A replay has the same content (same hash), so its ids line up with this unit's recipients.
        const messages = outcome.ids.map((id, i) => {
          const message = unit.messages[i] ?? unit.messages[0]!;
          return { id, ...message };
        });
        return { kind: outcome.kind, messages, scheduled };
      }
      case 'conflict':
        return { kind: 'refused', error: new SmsprocError(Errors.IDEMPOTENCY_CONFLICT, { key: unit.request.idempotencyKey ?? '' }) };
      case 'quota_exhausted':
        return {
          kind: 'refused',
          error: new SmsprocError(Errors.DEMO_QUOTA_EXHAUSTED, {
            quota: deps.config.demo.freeSegments,
            remaining: outcome.remaining,
            segments: unit.segments,
          }),
        };
      default:
        throw new Error('the store answered fewer outcomes than requests');
    }
  });
}
