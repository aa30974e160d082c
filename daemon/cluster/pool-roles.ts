/**
 * The active role of each dedicated-server pool this node belongs to (config `cluster.pools`,
 * `name:nodeA/nodeB`): the resource `pool/<name>/active`, owned through the Coordinator like a bind.
 * Both nodes of a pool try to acquire it whenever it has no live owner, the first-listed node at
 * once and the other after `standbyDelayMs` (so a healthy cluster starts with the listed active
 * node); the standby takes over as soon as the active node's lease is gone. `/health/pool/<name>`
 * answers from isActive().
 */
import type { Coordinator, Ownership } from '../../cluster/coordinator/port.js';
import type { Logger } from '../log.js';

export interface PoolSpec {
  readonly name: string;
  readonly nodes: readonly [string, string];
}

/** Parses `name:nodeA/nodeB` (the config's regex has already checked the shape). */
export function parsePool(spec: string): PoolSpec {
  const [name = '', nodes = ''] = spec.split(':');
  const [first = '', second = ''] = nodes.split('/');
  return { name, nodes: [first, second] };
}

export function poolResource(name: string): string {
  return `pool/${name}/active`;
}

export class PoolRoles {
  private readonly held = new Map<string, Ownership>();
  private readonly unownedSince = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private unwatch: (() => void) | null = null;
  private checking = false;

  constructor(
    private readonly coordinator: Coordinator,
    private readonly pools: readonly PoolSpec[],
    private readonly options: { readonly checkIntervalMs: number; readonly standbyDelayMs: number },
    private readonly logger: Logger,
    private readonly clock: () => number = Date.now,
  ) {}

  /** The pools this node is a member of. */
  get mine(): readonly PoolSpec[] {
    return this.pools.filter((pool) => pool.nodes.includes(this.coordinator.self.id));
  }

  isActive(name: string): boolean {
    const ownership = this.held.get(name);
    return ownership !== undefined && !ownership.lost.aborted;
  }

  isKnown(name: string): boolean {
    return this.pools.some((pool) => pool.name === name);
  }

  start(): void {
    if (this.mine.length === 0) return;
    this.unwatch = this.coordinator.watch(() => void this.check());
    this.timer = setInterval(() => void this.check(), this.options.checkIntervalMs);
  }

  async stop(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.unwatch?.();
    await Promise.all([...this.held.values()].map((ownership) => ownership.release()));
    this.held.clear();
  }

  private async check(): Promise<void> {
    if (this.checking || this.coordinator.status().phase !== 'live') return;
    this.checking = true;
    try {
      const live = new Set(this.coordinator.members().map((m) => m.id));
      const owners = this.coordinator.owners();
      const now = this.clock();
      for (const pool of this.mine) {
        if (this.isActive(pool.name)) continue;
        const owner = owners.get(poolResource(pool.name));
        if (owner !== undefined && live.has(owner.nodeId)) {
          this.unownedSince.delete(pool.name);
          continue;
        }
        const since = this.unownedSince.get(pool.name) ?? now;
        this.unownedSince.set(pool.name, since);
        const isFirst = pool.nodes[0] === this.coordinator.self.id;
        if (!isFirst && now - since < this.options.standbyDelayMs) continue;
        await this.acquire(pool.name);
      }
    } finally {
      this.checking = false;
    }
  }

  private async acquire(name: string): Promise<void> {
    try {
      const ownership = await this.coordinator.tryAcquire(poolResource(name));
      if (ownership === null) return;
      this.held.set(name, ownership);
      this.unownedSince.delete(name);
      this.logger.info({ pool: name, epoch: ownership.epoch }, 'pool active role taken');
      ownership.lost.addEventListener('abort', () => {
        if (this.held.get(name) === ownership) this.held.delete(name);
        this.logger.warn({ pool: name, reason: String(ownership.lost.reason) }, 'pool active role lost');
      }, { once: true });
    } catch (error) {
      this.logger.warn({ err: error, pool: name }, 'pool active role not acquired: coordinator unavailable');
    }
  }
}
