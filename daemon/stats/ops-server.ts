/**
 * The ops HTTP server (config ops.host/ops.port, default 127.0.0.1:9464): GET /metrics for
 * Prometheus, GET /health/live (the process answers) and GET /health/ready (every readiness check
 * passes; 503 with the failing checks otherwise), GET /health/pool/<name> (200 only on the node that
 * holds the pool's active role). Plain node:http: it must answer while the client
 * API is busy or draining, and it has few fixed paths.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { Logger } from '../log.js';

/** A named check for /health/ready: resolves true when that part is ready. */
export interface ReadinessCheck {
  readonly name: string;
  check(): boolean | Promise<boolean>;
}

export interface OpsServerDeps {
  readonly host: string;
  readonly port: number;
  readonly registry: Pick<Registry, 'contentType' | 'metrics'>;
  readonly readiness: readonly ReadinessCheck[];
  readonly logger: Logger;
  /** Whether this node holds the active role of the dedicated-server pool; null: no such pool. */
  readonly poolActive?: (name: string) => boolean | null;
}

export interface OpsServer {
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

async function readiness(checks: readonly ReadinessCheck[]): Promise<Record<string, boolean>> {
  const results = await Promise.all(checks.map(async (check) => {
    try {
      return [check.name, await check.check()] as const;
    } catch {
      return [check.name, false] as const;
    }
  }));
  return Object.fromEntries(results);
}

function send(response: ServerResponse, status: number, contentType: string, body: string): void {
  response.writeHead(status, { 'Content-Type': contentType, 'Cache-Control': 'no-store' });
  response.end(body);
}

export async function startOpsServer(deps: OpsServerDeps): Promise<OpsServer> {
  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      send(response, 405, 'text/plain; charset=utf-8', 'GET only\n');
      return;
    }
    if (path === '/metrics') {
      send(response, 200, deps.registry.contentType, await deps.registry.metrics());
    } else if (path === '/health/live') {
      send(response, 200, 'application/json', '{"status":"live"}\n');
    } else if (path === '/health/ready') {
      const checks = await readiness(deps.readiness);
      const ready = Object.values(checks).every(Boolean);
      send(response, ready ? 200 : 503, 'application/json', `${JSON.stringify({ status: ready ? 'ready' : 'not ready', checks })}\n`);
    } else if (path?.startsWith('/health/pool/') === true && deps.poolActive !== undefined) {
      // For a load balancer or VRRP check in front of a dedicated-server pool: 200 only on the active node.
      const name = decodeURIComponent(path.slice('/health/pool/'.length));
      const active = deps.poolActive(name);
      if (active === null) send(response, 404, 'application/json', `${JSON.stringify({ pool: name, status: 'unknown pool' })}\n`);
      else send(response, active ? 200 : 503, 'application/json', `${JSON.stringify({ pool: name, status: active ? 'active' : 'standby' })}\n`);
    } else {
      send(response, 404, 'text/plain; charset=utf-8', 'not found: /metrics, /health/live, /health/ready, /health/pool/<name>\n');
    }
  };
  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      deps.logger.error({ err: error, path: request.url }, 'ops request failed');
      if (!response.headersSent) send(response, 500, 'text/plain; charset=utf-8', 'internal error\n');
      else response.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(deps.port, deps.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  return {
    host: address.address,
    port: address.port,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
