import { Etcd3, EtcdLeaseInvalidError, type IKeyValue, type Lease, type Watcher } from 'etcd3';
import type { Logger } from '../../../daemon/log.js';
import { HeldOwnerships } from '../held-ownerships.js';
import { Listeners } from '../listeners.js';
import {
  CoordinatorUnavailableError,
  type Coordinator,
  type LossReason,
  type NodeInfo,
  type Ownership,
  type OwnerRecord,
} from '../port.js';
import { unavailable, withDeadline } from './deadline.js';
import { cappedBackoff } from './capped-backoff.js';
import { decodeNode, decodeOwner, encodeNode, encodeOwner, nodeKey, nodesPrefix, ownerKey, ownersPrefix, pinsPrefix } from './keys.js';

export interface EtcdCoordinatorOptions {
  /** Every member of the etcd cluster (`http://host:2379`): the client moves to another when one fails. */
  readonly endpoints: readonly string[];
  readonly self: NodeInfo;
  /** Prefix of every key this coordinator reads or writes (default `smsproc/`). */
  readonly keyPrefix?: string;
  /** The node's lease TTL in whole seconds (default 5; etcd's own minimum is about 1.5 s). */
  readonly leaseTtlS?: number;
  /** How long before the earliest possible lease expiry the node fences itself (default min(1000, TTL/4)). */
  readonly fenceMarginMs?: number;
  /** Deadline of every etcd call other than keepalives (default 2000 ms). */
  readonly callTimeoutMs?: number;
  readonly log?: Logger;
}

type Phase = 'idle' | 'live' | 'fenced' | 'closed';

const rejoinDelayMs = 500;
const keepaliveRetryDelayMs = 150;

/**
 * The etcd adapter. Membership: `nodes/<id>` under the node's lease. Ownership: `owners/<resource>`
 * created only if absent (create revision == 0) under the node's lease, in one transaction; the
 * fencing epoch is the key's create revision (etcd's revision is cluster-wide and never goes back).
 *
 * Self-fencing: the lease is confirmed by a keepalive every TTL/4; etcd cannot expire it before
 * (time the confirmed keepalive was SENT) + TTL, and no other node can create an owner key before
 * that. The node fences at that instant minus the margin: every ownership's `lost` fires with
 * 'lease-expiring', the lease is abandoned (revoked when etcd answers, else left to expire), and the
 * node rejoins with a new lease when etcd answers again. The etcd3 client's own lease-loss event comes
 * only after twice the TTL, and its Election helper can report a failed campaign as elected, so
 * neither is used.
 */
export function createEtcdCoordinator(options: EtcdCoordinatorOptions): Coordinator {
  const self = options.self;
  const prefix = options.keyPrefix ?? 'smsproc/';
  const ttlS = options.leaseTtlS ?? 5;
  const ttlMs = ttlS * 1000;
  const marginMs = options.fenceMarginMs ?? Math.min(1000, ttlMs / 4);
  const callTimeoutMs = options.callTimeoutMs ?? 2000;
  const keepaliveIntervalMs = ttlMs / 4;
  const log = options.log;
  if (!Number.isInteger(ttlS) || ttlS < 1) throw new RangeError(`etcd lease TTL must be a whole number of seconds ≥ 1, got ${ttlS}`);
  if (marginMs <= 0 || marginMs >= ttlMs - keepaliveIntervalMs) {
    throw new RangeError(`fence margin ${marginMs} ms must be positive and leave room for a keepalive within the ${ttlMs} ms TTL`);
  }

  const client = new Etcd3({
    hosts: [...options.endpoints],
    dialTimeout: callTimeoutMs,
    // The client's default watch reconnect backoff grows to 30 s: the view would go stale for that long
    // after a member dies, and its pending timer would hold a closing process open.
    faultHandling: { watchBackoff: cappedBackoff(100, 1000) },
  });
  const changes = new Listeners<[]>();
  const renewals = new Listeners<[number]>();
  const held = new HeldOwnerships(() => changes.emit());
  const acquiring = new Map<string, Promise<Ownership | null>>();
  /** Released while etcd did not answer: deleted on a later keepalive round (the lease keeps them alive). */
  const unreleased = new Map<string, number>();

  let phase: Phase = 'idle';
  /** Bumped at every new lease and at every fence, so answers about an older lease are ignored. */
  let generation = 0;
  let lease: Lease | null = null;
  let leaseId: string | null = null;
  let validUntilMs = 0;
  let fenceTimer: NodeJS.Timeout | undefined;
  let keepaliveTimer: NodeJS.Timeout | undefined;
  let rejoinTimer: NodeJS.Timeout | undefined;
  let resyncTimer: NodeJS.Timeout | undefined;
  /** Revokes of abandoned leases, due once the fence margin has passed; dropped on close (the leases expire). */
  const pendingRevokes = new Set<NodeJS.Timeout>();
  let watcher: Watcher | null = null;

  let members = new Map<string, NodeInfo>();
  let owners = new Map<string, OwnerRecord & { readonly leaseId: string }>();
  let pins = new Map<string, string>();
  let viewRevision = 0;

  const deadline = (ms = callTimeoutMs) => ({ deadline: Date.now() + ms });
  const isLive = () => phase === 'live' && Date.now() < validUntilMs;

  function confirmLease(sentAtMs: number, grantedTtlS: number): void {
    const until = sentAtMs + Math.min(grantedTtlS, ttlS) * 1000 - marginMs;
    if (until <= validUntilMs) return;
    validUntilMs = until;
    clearTimeout(fenceTimer);
    fenceTimer = setTimeout(() => fence('lease-expiring'), Math.max(0, until - Date.now()));
    renewals.emit(until);
  }

  function fence(reason: LossReason): void {
    if (phase !== 'live') return;
    phase = 'fenced';
    generation++;
    validUntilMs = 0;
    clearTimeout(fenceTimer);
    clearTimeout(keepaliveTimer);
    const lost = held.endAll(reason);
    log?.warn({ nodeId: self.id, reason, lost }, 'coordinator fenced: ownership given up');
    abandonLease();
    changes.emit();
    scheduleRejoin();
  }

  /**
   * Stops renewing the current lease and revokes it after the fence margin if etcd answers (its keys
   * vanish with it). Not at once: the binds this node fenced get the margin to close their sessions
   * before another node can acquire them, as when the lease expires by itself.
   */
  function abandonLease(): void {
    const old = lease;
    lease = null;
    leaseId = null;
    unreleased.clear();
    if (old === null) return;
    const timer = setTimeout(() => {
      pendingRevokes.delete(timer);
      void withDeadline(old.revoke(deadline()), callTimeoutMs, 'lease revoke').catch((error: unknown) => {
        log?.info({ nodeId: self.id, error: String(error) }, 'old lease not revoked; it expires by itself');
      });
    }, marginMs);
    pendingRevokes.add(timer);
  }

  async function join(): Promise<void> {
    const myGeneration = ++generation;
    const sentAtMs = Date.now();
    const candidate = client.lease(ttlS, { autoKeepAlive: false, ...deadline() });
    candidate.on('lost', () => {
      if (myGeneration === generation) fence('revoked');
    });
    try {
      const id = await withDeadline(candidate.grant(), callTimeoutMs, 'lease grant');
      await withDeadline(
        client.put(prefix + nodeKey(self.id)).value(encodeNode(self)).lease(id).options(deadline()).exec(),
        callTimeoutMs,
        'membership put',
      );
      if (myGeneration !== generation || phase === 'closed') throw new CoordinatorUnavailableError('etcd: joining was overtaken');
      lease = candidate;
      leaseId = id;
      phase = 'live';
      confirmLease(sentAtMs, ttlS);
      scheduleKeepalive(keepaliveIntervalMs);
      log?.info({ nodeId: self.id, leaseId: id, validUntilMs }, 'coordinator joined');
    } catch (error) {
      void candidate.revoke(deadline()).catch(() => undefined);
      throw unavailable(error, 'join');
    }
  }

  function scheduleRejoin(): void {
    clearTimeout(rejoinTimer);
    rejoinTimer = setTimeout(() => {
      if (phase !== 'fenced') return;
      join().then(
        () => resync().catch(() => undefined),
        (error: unknown) => {
          log?.debug({ nodeId: self.id, error: String(error) }, 'coordinator rejoin failed; retrying');
          scheduleRejoin();
        },
      );
    }, rejoinDelayMs);
  }

  function scheduleKeepalive(delayMs: number): void {
    clearTimeout(keepaliveTimer);
    keepaliveTimer = setTimeout(() => void keepalive(), delayMs);
  }

  async function keepalive(): Promise<void> {
    const current = lease;
    const myGeneration = generation;
    if (phase !== 'live' || current === null) return;
    const sentAtMs = Date.now();
    try {
      const answer = await withDeadline(current.keepaliveOnce(deadline(keepaliveIntervalMs)), keepaliveIntervalMs + 100, 'keepalive');
      if (myGeneration !== generation) return;
      confirmLease(sentAtMs, Number(answer.TTL));
      scheduleKeepalive(keepaliveIntervalMs);
      void deleteUnreleased();
    } catch (error) {
      if (myGeneration !== generation) return;
      if (error instanceof EtcdLeaseInvalidError) {
        fence('revoked');
        return;
      }
      log?.debug({ nodeId: self.id, error: String(error) }, 'keepalive not confirmed; retrying');
      scheduleKeepalive(keepaliveRetryDelayMs);
    }
  }

  /** Deletes an owner key only if it is still the one created at `epoch` (never a successor's). */
  async function deleteOwnerKey(resource: string, epoch: number): Promise<void> {
    const key = prefix + ownerKey(resource);
    await withDeadline(
      client.if(key, 'Create', '==', epoch).then(client.delete().key(key)).options(deadline()).commit(),
      callTimeoutMs,
      'release',
    );
  }

  async function deleteUnreleased(): Promise<void> {
    for (const [resource, epoch] of [...unreleased]) {
      try {
        await deleteOwnerKey(resource, epoch);
        unreleased.delete(resource);
      } catch {
        return;
      }
    }
  }

  async function acquire(resource: string): Promise<Ownership | null> {
    if (!isLive() || leaseId === null) throw new CoordinatorUnavailableError('etcd: this node holds no confirmed lease (fenced or not joined)');
    const myGeneration = generation;
    const myLeaseId = leaseId;
    const earlier = unreleased.get(resource);
    if (earlier !== undefined) {
      await deleteOwnerKey(resource, earlier).catch((error: unknown) => {
        throw unavailable(error, 'release of an earlier ownership');
      });
      unreleased.delete(resource);
    }
    const key = prefix + ownerKey(resource);
    let answer;
    try {
      answer = await withDeadline(
        client
          .if(key, 'Create', '==', 0)
          .then(client.put(key).value(encodeOwner(self.id)).lease(myLeaseId))
          .else(client.get(key))
          .options(deadline())
          .commit(),
        callTimeoutMs,
        'acquire',
      );
    } catch (error) {
      throw unavailable(error, `acquire ${resource}`);
    }
    // Fenced while waiting: the key (if created) belongs to the abandoned lease and vanishes with it.
    if (myGeneration !== generation || !isLive()) throw new CoordinatorUnavailableError('etcd: fenced while acquiring');
    let epoch: number;
    if (answer.succeeded) {
      epoch = Number(answer.header.revision);
    } else {
      const existing = answer.responses[0]?.response_range.kvs[0];
      // Ours only when an earlier call succeeded on the server and its answer was lost.
      if (existing === undefined || existing.lease !== myLeaseId) return null;
      epoch = Number(existing.create_revision);
    }
    owners.set(resource, { resource, nodeId: self.id, epoch, leaseId: myLeaseId });
    return held.add({
      resource,
      epoch,
      validUntilMs: () => (isLive() && myGeneration === generation ? validUntilMs : 0),
      giveUp: async () => {
        try {
          await deleteOwnerKey(resource, epoch);
        } catch (error) {
          if (myGeneration === generation) unreleased.set(resource, epoch);
          log?.warn({ nodeId: self.id, resource, error: String(error) }, 'release not confirmed by etcd; retried later');
        }
      },
    });
  }

  function applyKv(kv: IKeyValue, deleted: boolean): void {
    const key = kv.key.toString();
    if (!key.startsWith(prefix)) return;
    const name = key.slice(prefix.length);
    if (name.startsWith(nodesPrefix)) {
      const nodeId = name.slice(nodesPrefix.length);
      const node = deleted ? null : decodeNode(nodeId, kv.value.toString());
      if (node === null) members.delete(nodeId);
      else members.set(nodeId, node);
    } else if (name.startsWith(ownersPrefix)) {
      const resource = name.slice(ownersPrefix.length);
      const nodeId = deleted ? null : decodeOwner(kv.value.toString());
      if (nodeId === null) owners.delete(resource);
      else owners.set(resource, { resource, nodeId, epoch: Number(kv.create_revision), leaseId: kv.lease });
    } else if (name.startsWith(pinsPrefix)) {
      const resource = name.slice(pinsPrefix.length);
      const nodeId = deleted ? null : decodeOwner(kv.value.toString());
      if (nodeId === null) pins.delete(resource);
      else pins.set(resource, nodeId);
    }
  }

  /** An ownership the server no longer shows (at a revision after its creation) was removed by someone. */
  function revokeVanished(atRevision: number): void {
    for (const ownership of held.all()) {
      if (atRevision <= ownership.epoch) continue;
      const record = owners.get(ownership.resource);
      if (record === undefined || record.epoch !== ownership.epoch) {
        log?.warn({ nodeId: self.id, resource: ownership.resource }, 'owner key removed on the server');
        held.end(ownership.resource, 'revoked');
      }
    }
  }

  async function resync(): Promise<number> {
    const answer = await withDeadline(
      client.getAll().prefix(prefix).options(deadline()).exec(),
      callTimeoutMs,
      'read of members and owners',
    );
    const revision = Number(answer.header.revision);
    if (revision < viewRevision) return viewRevision;
    members = new Map();
    owners = new Map();
    pins = new Map();
    for (const kv of answer.kvs) applyKv(kv, false);
    viewRevision = revision;
    revokeVanished(revision);
    changes.emit();
    return revision;
  }

  function scheduleResync(): void {
    clearTimeout(resyncTimer);
    resyncTimer = setTimeout(() => {
      // The watch stream may be reconnecting with a long backoff; a periodic read bounds staleness.
      resync().catch(() => undefined).finally(() => {
        if (phase !== 'closed') scheduleResync();
      });
    }, ttlMs);
  }

  async function startWatch(fromRevision: number): Promise<void> {
    watcher = await client.watch().prefix(prefix).startRevision(String(fromRevision + 1)).create();
    const onEvent = (deleted: boolean) => (kv: IKeyValue) => {
      if (Number(kv.mod_revision) <= viewRevision) return;
      applyKv(kv, deleted);
      if (deleted) revokeVanished(Number(kv.mod_revision));
      changes.emit();
    };
    watcher.on('put', onEvent(false));
    watcher.on('delete', onEvent(true));
    watcher.on('error', (error) => log?.debug({ nodeId: self.id, error: String(error) }, 'etcd watch error'));
  }

  return {
    self,
    async start() {
      if (phase !== 'idle') throw new Error('coordinator already started');
      await join();
      const revision = await resync().catch((error: unknown) => {
        throw unavailable(error, 'initial read');
      });
      await withDeadline(startWatch(revision), callTimeoutMs, 'watch');
      scheduleResync();
    },
    tryAcquire(resource) {
      const existing = held.get(resource);
      if (existing !== undefined) return Promise.resolve(existing);
      let pending = acquiring.get(resource);
      if (pending === undefined) {
        pending = acquire(resource).finally(() => acquiring.delete(resource));
        acquiring.set(resource, pending);
      }
      return pending;
    },
    owned: () => held.all(),
    members: () => [...members.values()],
    owners() {
      const view = new Map<string, OwnerRecord>();
      for (const [resource, { nodeId, epoch }] of owners) view.set(resource, { resource, nodeId, epoch });
      return view;
    },
    pins: () => new Map(pins),
    watch(listener) {
      const unsubscribe = changes.add(listener);
      queueMicrotask(listener);
      return unsubscribe;
    },
    onRenewed: (listener) => renewals.add(listener),
    status: () => ({ phase: phase === 'live' && !isLive() ? 'fenced' : phase, validUntilMs: isLive() ? validUntilMs : 0 }),
    async close() {
      if (phase === 'closed') return;
      const wasLive = phase === 'live';
      phase = 'closed';
      generation++;
      validUntilMs = 0;
      for (const timer of [fenceTimer, keepaliveTimer, rejoinTimer, resyncTimer, ...pendingRevokes]) clearTimeout(timer);
      held.endAll('released');
      const current = lease;
      lease = null;
      leaseId = null;
      // Revoking the lease deletes membership and every owner key at once: others take over now.
      if (wasLive && current !== null) {
        await withDeadline(current.revoke(deadline()), callTimeoutMs, 'lease revoke').catch((error: unknown) => {
          log?.warn({ nodeId: self.id, error: String(error) }, 'lease not revoked on close; it expires by itself');
        });
      }
      if (watcher !== null) await withDeadline(watcher.cancel(), callTimeoutMs, 'watch cancel').catch(() => undefined);
      client.close();
    },
  };
}
