import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';

/**
 * The pages' stylesheet and script: plain files in daemon/web/assets/ (no build step, no framework),
 * read once and served under <prefix>/assets/. This module runs as dist/daemon/web/assets.js, so the
 * project root is three levels up.
 */
const files = {
  'style.css': 'text/css; charset=utf-8',
  'live.js': 'text/javascript; charset=utf-8',
} as const;

function assetsDir(): string {
  return fileURLToPath(new URL('../../../daemon/web/assets/', import.meta.url));
}

export function registerAssets(app: FastifyInstance, prefix: string): void {
  const dir = assetsDir();
  for (const [name, type] of Object.entries(files)) {
    const body = readFileSync(`${dir}${name}`, 'utf8');
    app.get(`${prefix}/assets/${name}`, async (_request, reply) => reply.type(type).header('cache-control', 'max-age=300').send(body));
  }
}
