/**
 * A node's database connections (`store.postgresPoolSize`, `store.oraclePoolMax`) are a total for the
 * node, split between its processes (docs/cluster.md, "Process model"): with `cluster.workers` > 1
 * every process opens its own pool, and pools of the full size each would take (workers + 1) times
 * the setting from the database's `max_connections`.
 */

/**
 * Which process opens the store: a node of one process, the primary or a worker of the process
 * model, or smsprocctl on the node's config (its own short-lived pool, outside the node's total).
 */
export type NodeProcess =
  | { readonly role: 'node' }
  | { readonly role: 'primary' }
  | { readonly role: 'worker'; readonly id: number }
  | { readonly role: 'smsprocctl' };

export const SINGLE_PROCESS: NodeProcess = { role: 'node' };

/**
 * Fewest connections any process gets. No store call takes a second connection while it holds one,
 * so one would not deadlock; but a process's group commits of enqueues take half its pool (at least
 * one), and with a single connection a claim, an ack or a receipt would wait behind every group.
 */
export const MIN_PROCESS_CONNECTIONS = 2;

/**
 * The primary's part when it does not take client intake (no SMPP server): the queue sweep (its
 * transactions one after another), provisioning polls, the bind epochs it raises on acquire,
 * payouts and the store gauges of a scrape: short calls that rarely overlap.
 */
const PRIMARY_CONNECTIONS = MIN_PROCESS_CONNECTIONS;

/** The smallest node total that gives every process its minimum. */
export function minimumNodeConnections(workers: number): number {
  return workers > 1 ? MIN_PROCESS_CONNECTIONS * (workers + 1) : 1;
}

/**
 * Each process's pool out of the node's `total`. The workers serve the client API and run the binds,
 * so they get the bulk, evenly; the primary gets `PRIMARY_CONNECTIONS`, or an even share when it
 * runs the SMPP server (client intake, group commits); what the division leaves goes to the primary.
 * The sum over the processes is `total`; `total` must be at least `minimumNodeConnections(workers)`.
 */
export function connectionShares(total: number, workers: number, primaryTakesIntake: boolean): { readonly primary: number; readonly worker: number } {
  if (workers <= 1) return { primary: total, worker: 0 };
  const worker = Math.floor(primaryTakesIntake ? total / (workers + 1) : (total - PRIMARY_CONNECTIONS) / workers);
  return { primary: total - worker * workers, worker };
}

/** smsprocctl's commands call the store one call at a time. */
const SMSPROCCTL_CONNECTIONS = 2;

/** The pool of one process out of the node's `total`. */
export function connectionsOf(process: NodeProcess, total: number, workers: number, primaryTakesIntake: boolean): number {
  if (process.role === 'node') return total;
  if (process.role === 'smsprocctl') return Math.min(total, SMSPROCCTL_CONNECTIONS);
  const shares = connectionShares(total, workers, primaryTakesIntake);
  return process.role === 'primary' ? shares.primary : shares.worker;
}

/**
 * How the process's connections are named to the database (PostgreSQL's application_name, Oracle's
 * V$SESSION.PROGRAM): `smsproc/<node>`, `smsproc/<node>/primary`, `smsproc/<node>/worker-<id>`
 * (node:cluster's worker id: a restarted worker gets a new one), `smsprocctl/<node>`. Only characters
 * Oracle accepts.
 */
export function connectionName(nodeId: string, process: NodeProcess): string {
  const base = `smsproc/${nodeId}`;
  switch (process.role) {
    case 'node':
      return base;
    case 'primary':
      return `${base}/primary`;
    case 'worker':
      return `${base}/worker-${process.id}`;
    case 'smsprocctl':
      return `smsprocctl/${nodeId}`;
  }
}
