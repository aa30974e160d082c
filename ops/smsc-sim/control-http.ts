import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { SmscSimulator } from './simulator.js';

const moBody = z.object({
  from: z.string().min(1),
  to: z.string().min(1),
  text: z.string(),
  dataCoding: z.union([z.literal(0), z.literal(8)]).optional(),
  udh: z.union([z.literal(8), z.literal(16)]).optional(),
  parts: z.number().int().min(1).max(255).optional(),
  systemId: z.string().optional(),
}).strict();

const maxBodyBytes = 64 * 1024;

/** GET /stats, POST /mo (JSON), POST /reset on 127.0.0.1: for tests and operators driving a running simulator. */
export async function startControlServer(simulator: SmscSimulator, port: number, logger: Logger | undefined): Promise<Server> {
  const server = createServer((request, response) => {
    handle(simulator, request, response).catch((error: unknown) => {
      logger?.warn({ err: String(error) }, 'control request failed');
      reply(response, 500, { error: 'internal error' });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}

async function handle(simulator: SmscSimulator, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const route = `${request.method ?? ''} ${(request.url ?? '').split('?')[0] ?? ''}`;
  switch (route) {
    case 'GET /stats':
      return reply(response, 200, simulator.stats());
    case 'POST /reset':
      simulator.resetStats();
      return reply(response, 200, { reset: true });
    case 'POST /mo': {
      const body = await readJson(request);
      const parsed = moBody.safeParse(body);
      if (!parsed.success) return reply(response, 400, { error: z.prettifyError(parsed.error) });
      try {
        return reply(response, 202, simulator.injectMo(parsed.data));
      } catch (error) {
        return reply(response, 400, { error: error instanceof Error ? error.message : String(error) });
      }
    }
    default:
      return reply(response, 404, { error: 'use GET /stats, POST /mo or POST /reset' });
  }
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > maxBodyBytes) return undefined;
    chunks.push(buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

function reply(response: ServerResponse, status: number, body: unknown): void {
  const json = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) });
  response.end(json);
}
