/**
 * The bind planner (pure): which live node should own which bind.
 *
 * Rules:
 * - Sites: a route's binds alternate over the live sites, its preferred site first (so an odd bind
 *   count leans to the preferred site, and one bind goes there). When only one site lives, it takes
 *   every bind.
 * - Nodes: within the chosen site, weighted rendezvous hashing (score `weight / -ln(hash(bind,
 *   node))`) ranks the nodes for each bind, bounded by each node's share (by weight) of the site's
 *   binds and of the route's binds there: the load stays even, a route's binds sit on different
 *   nodes, and a node that joins or leaves moves few binds besides its own.
 * - Pace: a bind whose owner is dead or absent goes to its target at once (availability first); a
 *   bind whose live owner is not its target moves only within `maxMovesPerRound`, so a node that
 *   comes back takes its binds over several rounds instead of all at once.
 * - Draining: a node of weight 0 (being drained) is a member that gets no binds; all of its binds
 *   move at once, outside the move limit.
 * - Pins: a bind pinned to a node (an operator's `smsprocctl cluster move`, or a dedicated pool's
 *   active node) goes to that node while it is live with a weight above 0, at once and outside the
 *   move limit (an operator asked for it); when the node is not, the bind is planned as if unpinned.
 *   The other binds spread as if the pinned ones did not exist.
 * - Orphans: `orphansToTake` lets any node take a bind that has had no live owner for the grace
 *   period, so that availability never waits for the planned node.
 */

export interface PlannerNode {
  readonly id: string;
  readonly site: string;
  readonly weight: number;
}

export interface PlannerRoute {
  readonly routeId: string;
  readonly binds: number;
  readonly preferredSite?: string | null;
}

export interface PlanInput {
  readonly routes: readonly PlannerRoute[];
  /** Members; a node of weight 0 is draining: it keeps nothing. */
  readonly nodes: readonly PlannerNode[];
  /** Current owner of each bind (`route/<id>/bind/<n>` → node id), as the coordinator's watch shows. */
  readonly owners: ReadonlyMap<string, string>;
  /** Most binds taken from a live owner in this round (a bind of a dead owner always moves). */
  readonly maxMovesPerRound: number;
  /** Bind → the node it is pinned to (honoured while that node is live and not draining). */
  readonly pins?: ReadonlyMap<string, string>;
}

export interface Move {
  readonly bind: string;
  /** The live owner that gives the bind up; null when the bind has no live owner. */
  readonly from: string | null;
  readonly to: string;
}

export interface Plan {
  /** Who should own each bind after this round (every bind of every route, when any node lives). */
  readonly assignment: ReadonlyMap<string, string>;
  /** The changes of this round, in bind order. */
  readonly moves: readonly Move[];
  /** Binds whose live owner is not their target, left for a later round by the move limit. */
  readonly deferred: number;
}

export function bindName(routeId: string, index: number): string {
  return `route/${routeId}/bind/${index}`;
}

/** 53-bit string hash (cyrb53): deterministic, well mixed, no I/O. */
function hash53(text: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

function rendezvousScore(bind: string, node: PlannerNode): number {
  const unit = (hash53(`${bind}\u0000${node.id}`) + 0.5) / 2 ** 53;
  return node.weight / -Math.log(unit);
}

/** The node of `candidates` that bind hashes to (ties, practically impossible, go to the smaller id). */
export function rendezvousPick(bind: string, candidates: readonly PlannerNode[]): PlannerNode | null {
  let best: PlannerNode | null = null;
  let bestScore = Number.NEGATIVE_INFINITY;
  for (const node of candidates) {
    const score = rendezvousScore(bind, node);
    if (score > bestScore || (score === bestScore && best !== null && node.id < best.id)) {
      best = node;
      bestScore = score;
    }
  }
  return best;
}

/** Binds in route order, then by number (`r/10` after `r/9`). */
export function compareBinds(x: string, y: string): number {
  const [, routeX = x, indexX = '0'] = /^route\/(.+)\/bind\/(\d+)$/.exec(x) ?? [];
  const [, routeY = y, indexY = '0'] = /^route\/(.+)\/bind\/(\d+)$/.exec(y) ?? [];
  return routeX < routeY ? -1 : routeX > routeY ? 1 : Number(indexX) - Number(indexY);
}

interface SiteBind {
  readonly bind: string;
  readonly routeId: string;
}

/**
 * Assigns one site's binds to its nodes: (bind, node) pairs in order of rendezvous score, each taken
 * while the node is under its share of the route's binds in the site and of all binds in the site
 * (shares rounded up, in proportion to weight); what those caps leave goes by the total cap, then
 * to the bind's top choice. The caps keep a route's binds on different nodes and the load even; the
 * score order keeps most binds on their first choice when membership changes.
 */
function assignSite(binds: readonly SiteBind[], nodes: readonly PlannerNode[], into: Map<string, string>): void {
  const totalWeight = nodes.reduce((sum, n) => sum + n.weight, 0);
  const share = (count: number, node: PlannerNode) => Math.ceil((count * node.weight) / totalWeight);
  const perRoute = new Map<string, number>();
  for (const { routeId } of binds) perRoute.set(routeId, (perRoute.get(routeId) ?? 0) + 1);
  const pairs = binds.flatMap((b) => nodes.map((node) => ({ ...b, node, score: rendezvousScore(b.bind, node) })));
  pairs.sort((p, q) => q.score - p.score || compareBinds(p.bind, q.bind) || (p.node.id < q.node.id ? -1 : 1));
  const load = new Map<string, number>();
  const routeLoad = new Map<string, number>();
  const assigned = new Set<string>();
  const take = (bind: string, routeId: string, node: PlannerNode) => {
    into.set(bind, node.id);
    assigned.add(bind);
    load.set(node.id, (load.get(node.id) ?? 0) + 1);
    routeLoad.set(`${routeId}\u0000${node.id}`, (routeLoad.get(`${routeId}\u0000${node.id}`) ?? 0) + 1);
  };
  for (const { bind, routeId, node } of pairs) {
    if (assigned.has(bind)) continue;
    if ((load.get(node.id) ?? 0) >= share(binds.length, node)) continue;
    if ((routeLoad.get(`${routeId}\u0000${node.id}`) ?? 0) >= share(perRoute.get(routeId)!, node)) continue;
    take(bind, routeId, node);
  }
  for (const { bind, routeId, node } of pairs) {
    if (!assigned.has(bind) && (load.get(node.id) ?? 0) < share(binds.length, node)) take(bind, routeId, node);
  }
  for (const { bind, routeId, node } of pairs) {
    if (!assigned.has(bind)) take(bind, routeId, node);
  }
}

/** The target owner of every bind, ignoring current owners and the move limit. */
export function targetAssignment(
  nodes: readonly PlannerNode[],
  routes: readonly PlannerRoute[],
  pins: ReadonlyMap<string, string> = new Map(),
): Map<string, string> {
  const pinnable = new Set(nodes.filter((n) => n.weight > 0).map((n) => n.id));
  const honoured = (bind: string) => {
    const node = pins.get(bind);
    return node !== undefined && pinnable.has(node) ? node : undefined;
  };
  const bySite = new Map<string, PlannerNode[]>();
  for (const node of nodes) {
    if (!(node.weight > 0)) continue;
    const list = bySite.get(node.site) ?? [];
    list.push(node);
    bySite.set(node.site, list);
  }
  const sites = [...bySite.keys()].sort();
  const target = new Map<string, string>();
  const siteBinds = new Map<string, SiteBind[]>(sites.map((site) => [site, []]));
  for (const route of routes) {
    const preferred = route.preferredSite ?? null;
    const order = preferred !== null && bySite.has(preferred) ? [preferred, ...sites.filter((s) => s !== preferred)] : sites;
    if (order.length === 0) break;
    for (let i = 0; i < route.binds; i++) {
      const bind = bindName(route.routeId, i);
      const pinned = honoured(bind);
      if (pinned !== undefined) target.set(bind, pinned);
      else siteBinds.get(order[i % order.length]!)!.push({ bind, routeId: route.routeId });
    }
  }
  for (const [site, binds] of siteBinds) assignSite(binds, bySite.get(site)!, target);
  return target;
}

export function plan(input: PlanInput): Plan {
  const live = new Set(input.nodes.filter((n) => n.weight > 0).map((n) => n.id));
  const draining = new Set(input.nodes.filter((n) => !(n.weight > 0)).map((n) => n.id));
  const pins = input.pins ?? new Map<string, string>();
  const target = targetAssignment(input.nodes, input.routes, pins);
  const assignment = new Map<string, string>();
  const moves: Move[] = [];
  let rebalances = 0;
  let deferred = 0;
  for (const bind of [...target.keys()].sort(compareBinds)) {
    const to = target.get(bind)!;
    const owner = input.owners.get(bind);
    if (owner === undefined || (!live.has(owner) && !draining.has(owner))) {
      assignment.set(bind, to);
      moves.push({ bind, from: null, to });
    } else if (owner === to) {
      assignment.set(bind, owner);
    } else if (draining.has(owner) || pins.get(bind) === to || rebalances < input.maxMovesPerRound) {
      // A draining node's binds and pinned binds leave at once; only rebalancing between live nodes is paced.
      if (!draining.has(owner) && pins.get(bind) !== to) rebalances++;
      assignment.set(bind, to);
      moves.push({ bind, from: owner, to });
    } else {
      deferred++;
      assignment.set(bind, owner);
    }
  }
  return { assignment, moves, deferred };
}

/**
 * Binds this node may take although the plan gives them to another: those with no live owner since
 * at least `graceMs` (`orphanSinceMs` says since when each bind has had none). The coordinator's
 * create-if-absent acquisition decides between several nodes trying at once.
 */
export function orphansToTake(
  binds: readonly string[],
  owners: ReadonlyMap<string, string>,
  liveNodeIds: ReadonlySet<string>,
  orphanSinceMs: ReadonlyMap<string, number>,
  nowMs: number,
  graceMs: number,
): string[] {
  return binds.filter((bind) => {
    const owner = owners.get(bind);
    if (owner !== undefined && liveNodeIds.has(owner)) return false;
    const since = orphanSinceMs.get(bind);
    return since !== undefined && nowMs - since >= graceMs;
  });
}
