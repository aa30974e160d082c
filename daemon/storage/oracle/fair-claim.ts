import type { ClientId } from '../../domain/ids.js';
import type { AqIncoming } from './aq-session.js';

/**
 * Fair claims on AQ (ClaimRequest.perClientLimit), pure. AQ dequeues by correlation (the route)
 * and cannot pick per client, and a dequeued message cannot go back without losing its place, so
 * the claim decides first how many messages each client gets (from the ledger's count of each
 * client's claimable messages), then dequeues exactly that many per client (the correlation plus a
 * condition on the payload's client), then interleaves what came back. docs/oracle.md.
 */

/** A client with claimable messages on the route, as the ledger counts them. */
export interface WaitingClient {
  readonly clientId: ClientId;
  readonly ready: number;
  /** Its smallest priority and oldest acceptance time: who goes first within a round. */
  readonly firstPriority: number;
  readonly firstAcceptedAt: Date;
}

export interface FairLimits {
  readonly limit: number;
  readonly perClientLimit: number;
  readonly heldByClient?: ReadonlyMap<ClientId, number>;
}

/**
 * How many messages to dequeue per client: its share is perClientLimit less what the caller holds
 * of it, at most what it has waiting; the limit is handed out one message per client per round, in
 * each round by the client's most urgent, then oldest, waiting message, as the SQLite claim takes rows.
 */
export function fairQuotas(waiting: readonly WaitingClient[], limits: FairLimits): Map<ClientId, number> {
  const ordered = [...waiting].sort((a, b) =>
    a.firstPriority - b.firstPriority || a.firstAcceptedAt.getTime() - b.firstAcceptedAt.getTime() || (a.clientId < b.clientId ? -1 : 1));
  const shares = ordered.map((client) => ({
    clientId: client.clientId,
    share: Math.max(0, Math.min(client.ready, limits.perClientLimit - (limits.heldByClient?.get(client.clientId) ?? 0))),
  }));
  const quotas = new Map<ClientId, number>();
  let total = 0;
  for (let round = 0; total < limits.limit; round++) {
    const open = shares.filter((client) => client.share > round);
    if (open.length === 0) break;
    for (const client of open.slice(0, limits.limit - total)) quotas.set(client.clientId, (quotas.get(client.clientId) ?? 0) + 1);
    total += Math.min(open.length, limits.limit - total);
  }
  return quotas;
}

/** Each client's first message, then each one's second…, each round by priority, then acceptance. */
export function interleaveRounds(perClient: readonly (readonly AqIncoming[])[]): AqIncoming[] {
  const claimed: AqIncoming[] = [];
  for (let round = 0; ; round++) {
    const roundMessages = perClient.flatMap((messages) => messages.slice(round, round + 1));
    if (roundMessages.length === 0) return claimed;
    roundMessages.sort((a, b) => a.priority - b.priority || a.payload.ACCEPTED_AT.getTime() - b.payload.ACCEPTED_AT.getTime());
    claimed.push(...roundMessages);
  }
}
