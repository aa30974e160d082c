import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { progress } from '../../ops/smsprocctl/progress.js';

function stream(isTTY: boolean): { isTTY: boolean; written: string[]; write(text: string): void } {
  const written: string[] = [];
  return { isTTY, written, write: (text: string) => written.push(text) };
}

test('progress: nothing at all when stderr is not a terminal', () => {
  const out = stream(false);
  const shown = progress('replaying', 10, out, () => 0);
  shown.update(5);
  shown.finish();
  assert.deepEqual(out.written, []);
});

test('progress: on a terminal one redrawn line, at most every 100 ms, the last step always shown, cleared at the end', () => {
  const out = stream(true);
  let now = 0;
  const shown = progress('replaying', 1000, out, () => now);
  shown.update(500);
  now = 50;
  shown.update(600);
  now = 120;
  shown.update(700);
  now = 130;
  shown.update(1000);
  shown.finish();
  assert.deepEqual(out.written, ['\r\x1b[Kreplaying: 500/1000 (50%)', '\r\x1b[Kreplaying: 700/1000 (70%)', '\r\x1b[Kreplaying: 1000/1000 (100%)', '\r\x1b[K']);
  const unknown = stream(true);
  const counting = progress('exporting', null, unknown, () => 0);
  counting.update(42);
  counting.finish();
  assert.deepEqual(unknown.written, ['\r\x1b[Kexporting: 42', '\r\x1b[K']);
});
