import { Agent } from 'node:http';
import { post } from './load.js';

/**
 * A steady offered load over HTTP keep-alive: request i is due at start + i × (perRequest / rate)
 * seconds and goes to urls[i mod n] (round robin, as a load balancer in front of several nodes
 * would spread it); `connections` loops send them, so a slow server makes requests late rather than
 * piling them up. Bounded by the request count, whatever the speed.
 */
export interface PacedLoad {
  readonly urls: readonly URL[];
  readonly headers: Readonly<Record<string, string>>;
  /** Messages per second offered. */
  readonly rate: number;
  readonly perRequest: number;
  readonly seconds: number;
  /** Concurrent requests at most (per node). */
  readonly connections: number;
  /** The body of request i (perRequest messages). */
  readonly body: (i: number) => string;
}

export interface PacedResult {
  /** Ids of the accepted messages. */
  readonly accepted: string[];
  /** ms per accepted request. */
  readonly latenciesMs: number[];
  readonly errors: number;
  readonly errorSamples: string[];
  readonly seconds: number;
}

export async function offerPaced(load: PacedLoad): Promise<PacedResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: load.connections });
  const result = { accepted: [] as string[], latenciesMs: [] as number[], errors: 0, errorSamples: [] as string[] };
  const failed = (sample: string): void => {
    result.errors += 1;
    if (result.errorSamples.length < 3) result.errorSamples.push(sample);
  };
  const requestIntervalMs = (1000 * load.perRequest) / load.rate;
  const totalRequests = Math.floor((load.seconds * load.rate) / load.perRequest);
  const started = performance.now();
  let next = 0;
  async function loop(): Promise<void> {
    for (;;) {
      const i = next++;
      if (i >= totalRequests) return;
      const wait = started + i * requestIntervalMs - performance.now();
      if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
      const t0 = performance.now();
      try {
        const { status, text } = await post(agent, load.urls[i % load.urls.length]!, load.headers, load.body(i));
        if (status >= 200 && status < 300) {
          result.latenciesMs.push(performance.now() - t0);
          const answer = JSON.parse(text) as { messages?: Array<{ id: string }>; results?: Array<{ messages?: Array<{ id: string }> }> };
          for (const m of answer.messages ?? []) result.accepted.push(m.id);
          for (const item of answer.results ?? []) for (const m of item.messages ?? []) result.accepted.push(m.id);
        } else {
          failed(`${status} ${text.slice(0, 200)}`);
        }
      } catch (error) {
        failed(String(error));
      }
    }
  }
  await Promise.all(Array.from({ length: load.connections * load.urls.length }, loop));
  agent.destroy();
  return { ...result, seconds: (performance.now() - started) / 1000 };
}
