import { strict as assert } from 'node:assert';
import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { test } from 'node:test';
import { createLogger } from '../../daemon/log.js';
import { LiveFeed } from '../../daemon/web/live-feed.js';

/** The live feed's fan-out, access re-checks and pacing, with a recording stand-in for the HTTP response. */
class RecordingResponse extends EventEmitter {
  readonly frames: string[] = [];
  status = 0;
  ended = false;
  writeHead(status: number): this {
    this.status = status;
    return this;
  }
  write(chunk: string): boolean {
    this.frames.push(chunk);
    return true;
  }
  end(): this {
    this.ended = true;
    this.emit('close');
    return this;
  }
  updates(): unknown[] {
    return this.frames.filter((frame) => frame.startsWith('data: ')).map((frame) => JSON.parse(frame.slice(6)) as unknown);
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const logger = createLogger('silent');

test('live feed: one computation per subject and tick, sent to every watcher of that subject', async () => {
  const computed: string[] = [];
  const feed = new LiveFeed({ compute: async (subject) => { computed.push(subject); return { subject, n: computed.length }; } }, 40, logger);
  const a1 = new RecordingResponse();
  const a2 = new RecordingResponse();
  const b = new RecordingResponse();
  feed.watch('a', a1 as unknown as ServerResponse, async () => true);
  feed.watch('b', b as unknown as ServerResponse, async () => true);
  await sleep(5);
  feed.watch('a', a2 as unknown as ServerResponse, async () => true);
  await sleep(150);
  feed.close();
  assert.equal(a1.status, 200);
  assert.ok(a1.frames[0]?.startsWith('retry: 40'));
  assert.ok(a1.updates().length >= 3, `${a1.updates().length} updates`);
  assert.ok(a1.updates().every((u) => (u as { subject: string }).subject === 'a'));
  assert.ok(b.updates().every((u) => (u as { subject: string }).subject === 'b'));
  const aComputations = computed.filter((s) => s === 'a').length;
  assert.ok(aComputations <= a1.updates().length + 1, 'a second watcher adds no computation per tick');
  assert.ok(a1.ended && a2.ended && b.ended, 'close() ends every stream');
  assert.deepEqual([...feed.watchers()], []);
});

test('live feed: a watcher no longer allowed is ended at the next update; the last one leaving stops the timer', async () => {
  let allowed = true;
  let computations = 0;
  const feed = new LiveFeed({ compute: async () => ({ n: (computations += 1) }) }, 30, logger);
  const response = new RecordingResponse();
  feed.watch('a', response as unknown as ServerResponse, async () => allowed);
  await sleep(50);
  allowed = false;
  await sleep(80);
  assert.ok(response.ended);
  assert.deepEqual([...feed.watchers()], []);
  const after = computations;
  await sleep(80);
  assert.equal(computations, after, 'nobody watches: nothing is computed');
  feed.close();
});

test('live feed: slow updates stretch the interval so computing stays under a quarter of the time', async () => {
  let computations = 0;
  const slow = new LiveFeed({ compute: async () => { computations += 1; await sleep(60); return {}; } }, 50, logger);
  const response = new RecordingResponse();
  slow.watch('a', response as unknown as ServerResponse, async () => true);
  await sleep(1000);
  slow.close();
  // 60 ms each, at most 25 %: one per 240 ms or so (about 4); unpaced it would be one per 100 ms (10).
  assert.ok(computations >= 2 && computations <= 6, `${computations} computations in 1 s`);
});
