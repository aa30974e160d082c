import { Agent, request } from 'node:http';

/** One timed HTTP load phase: `connections` loops, each sending requests back to back over keep-alive. */
export interface LoadPhase {
  readonly name: string;
  readonly url: URL;
  readonly headers: Readonly<Record<string, string>>;
  /** Builds the body of the i-th request; messagesPerRequest says how many messages it carries. */
  readonly body: (i: number) => string;
  readonly messagesPerRequest: number;
  readonly connections: number;
  readonly durationMs: number;
  /** Most requests in the phase: a bound, whatever the speed. */
  readonly maxRequests: number;
}

export interface LoadResult {
  readonly name: string;
  readonly requests: number;
  readonly messages: number;
  readonly errors: number;
  readonly errorSamples: readonly string[];
  readonly elapsedMs: number;
  /** Request latencies in ms, sorted ascending. */
  readonly latenciesMs: Float64Array;
}

export function post(agent: Agent, url: URL, headers: Readonly<Record<string, string>>, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

export async function runLoad(phase: LoadPhase): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: phase.connections });
  const latencies: number[] = [];
  const errorSamples: string[] = [];
  let errors = 0;
  let issued = 0;
  const started = performance.now();
  const deadline = started + phase.durationMs;
  async function loop(): Promise<void> {
    while (performance.now() < deadline && issued < phase.maxRequests) {
      const i = issued++;
      const t0 = performance.now();
      try {
        const { status, text } = await post(agent, phase.url, phase.headers, phase.body(i));
        if (status >= 200 && status < 300) latencies.push(performance.now() - t0);
        else {
          errors += 1;
          if (errorSamples.length < 3) errorSamples.push(`${status} ${text.slice(0, 200)}`);
        }
      } catch (error) {
        errors += 1;
        if (errorSamples.length < 3) errorSamples.push(String(error));
      }
    }
  }
  await Promise.all(Array.from({ length: phase.connections }, loop));
  const elapsedMs = performance.now() - started;
  agent.destroy();
  const sorted = Float64Array.from(latencies).sort();
  return {
    name: phase.name,
    requests: latencies.length,
    messages: latencies.length * phase.messagesPerRequest,
    errors,
    errorSamples,
    elapsedMs,
    latenciesMs: sorted,
  };
}

export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)] ?? Number.NaN;
}
