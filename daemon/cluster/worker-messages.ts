/**
 * The IPC messages between the primary and its node:cluster workers (docs/cluster.md, "Process
 * model"): a worker says when it serves, and answers the primary's metrics requests with its
 * registry as JSON for aggregation.
 */
import type { Registry } from 'prom-client';

/** One registry's metrics as `getMetricsAsJSON()` gives them. */
export type RegistryJson = Awaited<ReturnType<Registry['getMetricsAsJSON']>>;

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

export function metricsRequest(requestId: number): MetricsRequest {
  return { type: 'metrics.request', requestId };
}

export function isMetricsRequest(message: unknown): message is MetricsRequest {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'metrics.request';
}

export function isMetricsResponse(message: unknown, requestId: number): message is MetricsResponse {
  return typeof message === 'object' && message !== null
    && (message as { type?: unknown }).type === 'metrics.response'
    && (message as { requestId?: unknown }).requestId === requestId;
}
