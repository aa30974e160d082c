/**
 * The IPC messages between the primary and its node:cluster workers (docs/cluster.md, "Process
 * model"): a worker says when it serves, answers the primary's metrics requests with its registry as
 * JSON for aggregation, runs the binds the primary hands it (start, stop, fence, each answered) under
 * the lease deadline the primary forwards, reports its binds' states for the dashboard, stops
 * accepting and exits when told.
 */
import type { Registry } from 'prom-client';
import type { BindStatus } from '../dispatch/bind-loop.js';
import type { RouteRecord } from '../domain/provisioning.js';
import type { ClusterReport } from './cluster-view.js';

/** One registry's metrics as `getMetricsAsJSON()` gives them. */
export type RegistryJson = Awaited<ReturnType<Registry['getMetricsAsJSON']>>;

/** A lease deadline over IPC: JSON has no Infinity, so a deadline that never comes (local coordinator) is null. */
export type WireDeadline = number | null;

export function toWire(validUntilMs: number): WireDeadline {
  return Number.isFinite(validUntilMs) ? validUntilMs : null;
}

export function fromWire(deadline: WireDeadline): number {
  return deadline ?? Number.POSITIVE_INFINITY;
}

export interface WorkerReady {
  readonly type: 'worker.ready';
  /** host:port the worker's client API listens on (the same for every worker). */
  readonly api: string;
}

export interface MetricsRequest {
  readonly type: 'metrics.request';
  readonly requestId: number;
}

export interface MetricsResponse {
  readonly type: 'metrics.response';
  readonly requestId: number;
  readonly metrics: RegistryJson[];
}

/** Run bind `index` of `route` (as the primary's provisioning has it) until told otherwise or until the deadline passes. */
export interface BindStart {
  readonly type: 'bind.start';
  readonly requestId: number;
  readonly route: RouteRecord;
  readonly index: number;
  readonly validUntilMs: WireDeadline;
}

/** stop: graceful (stop claiming, finish the window, unbind); fence: submit nothing more, then stop. */
export interface BindEnd {
  readonly type: 'bind.stop' | 'bind.fence';
  readonly requestId: number;
  readonly routeId: string;
  readonly index: number;
}

/** A worker's answer to a bind.start (once the bind's store epoch is raised), bind.stop or bind.fence (once the bind stopped). */
export interface BindAnswer {
  readonly type: 'bind.answer';
  readonly requestId: number;
  /** Why the request failed (a start whose store epoch could not be raised); absent when it succeeded. */
  readonly error?: string;
}

/** The node's lease was confirmed until this deadline: every bind the worker runs may go on until then. */
export interface LeaseRenewed {
  readonly type: 'lease.renewed';
  readonly validUntilMs: WireDeadline;
}

/** What binds report for the operator dashboard: a worker's own (to the primary), or the node's (to every worker). */
export interface BindsReport {
  readonly type: 'binds.report';
  readonly statuses: readonly BindStatus[];
  readonly callbacksInFlight: number;
  /** To the workers: live nodes as the primary's coordinator sees them (the reservation fallback's share). */
  readonly liveNodes?: number;
  /** To the workers: the cluster as the primary's coordinator sees it (the dashboard's cluster section). */
  readonly cluster?: ClusterReport;
}

/** Stop accepting (close the client API), keep running binds; answered by api.closed. */
export interface ApiClose {
  readonly type: 'api.close';
}

export interface ApiClosed {
  readonly type: 'api.closed';
}

/** The primary has handed every bind over: stop the rest (inbound, callbacks) and exit 0. */
export interface WorkerExit {
  readonly type: 'worker.exit';
}

export type PrimaryToWorker = MetricsRequest | BindStart | BindEnd | LeaseRenewed | BindsReport | ApiClose | WorkerExit;
export type WorkerToPrimary = WorkerReady | MetricsResponse | BindAnswer | BindsReport | ApiClosed;

export function metricsRequest(requestId: number): MetricsRequest {
  return { type: 'metrics.request', requestId };
}

function typeOf(message: unknown): unknown {
  return typeof message === 'object' && message !== null ? (message as { type?: unknown }).type : undefined;
}

export function isMetricsRequest(message: unknown): message is MetricsRequest {
  return typeOf(message) === 'metrics.request';
}

export function isMetricsResponse(message: unknown, requestId: number): message is MetricsResponse {
  return typeOf(message) === 'metrics.response' && (message as { requestId?: unknown }).requestId === requestId;
}

const primaryTypes = new Set(['metrics.request', 'bind.start', 'bind.stop', 'bind.fence', 'lease.renewed', 'binds.report', 'api.close', 'worker.exit']);
const workerTypes = new Set(['worker.ready', 'metrics.response', 'bind.answer', 'binds.report', 'api.closed']);

/** A message from the primary (node:cluster also delivers its own internal messages, which are not). */
export function isFromPrimary(message: unknown): message is PrimaryToWorker {
  return primaryTypes.has(String(typeOf(message)));
}

export function isFromWorker(message: unknown): message is WorkerToPrimary {
  return workerTypes.has(String(typeOf(message)));
}
