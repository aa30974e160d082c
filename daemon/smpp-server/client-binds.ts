/**
 * The clients' bound sessions on this node, chosen for a deliver_sm (a receiver or transceiver bind;
 * the least loaded of them). The bind limit is the BindLimit's (bind-limit.ts).
 */
import type { ClientId } from '../domain/ids.js';

export interface BoundSession {
  /** Whether it takes deliver_sm (receiver or transceiver). */
  readonly receives: boolean;
  /** deliver_sm sent or queued and not yet answered. */
  readonly load: number;
}

export class ClientBinds<S extends BoundSession> {
  private readonly byClient = new Map<ClientId, Set<S>>();

  count(clientId: ClientId): number {
    return this.byClient.get(clientId)?.size ?? 0;
  }

  add(clientId: ClientId, session: S): void {
    const sessions = this.byClient.get(clientId) ?? new Set<S>();
    sessions.add(session);
    this.byClient.set(clientId, sessions);
  }

  remove(clientId: ClientId, session: S): void {
    const sessions = this.byClient.get(clientId);
    if (sessions === undefined) return;
    sessions.delete(session);
    if (sessions.size === 0) this.byClient.delete(clientId);
  }

  /** The least loaded receiving session of the client; undefined when none is bound here. */
  receiver(clientId: ClientId): S | undefined {
    let best: S | undefined;
    for (const session of this.byClient.get(clientId) ?? []) {
      if (session.receives && (best === undefined || session.load < best.load)) best = session;
    }
    return best;
  }

  /** The clients with at least one receiving session here. */
  receivingClients(): ClientId[] {
    const clients: ClientId[] = [];
    for (const [clientId, sessions] of this.byClient) {
      for (const session of sessions) {
        if (session.receives) {
          clients.push(clientId);
          break;
        }
      }
    }
    return clients;
  }

  all(): S[] {
    return [...this.byClient.values()].flatMap((sessions) => [...sessions]);
  }
}
