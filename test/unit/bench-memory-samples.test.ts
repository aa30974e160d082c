import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { summarise, type RssSample } from '../../ops/bench/memory-samples.js';

const every10s = (rss: (atSeconds: number) => number, seconds: number): RssSample[] =>
  Array.from({ length: seconds / 10 + 1 }, (_, i) => ({ atSeconds: i * 10, rssMiB: { daemon: rss(i * 10) } }));

test('growth per minute is the slope after the warm-up; the warm-up\'s climb does not count', () => {
  // Climbs 100 MiB in the first minute, then grows 0.5 MiB per minute.
  const samples = every10s((t) => (t < 60 ? 100 + (100 * t) / 60 : 200 + (0.5 * (t - 60)) / 60), 600);
  const summary = summarise(samples, 'daemon', 60);
  assert.ok(Math.abs((summary.growthMiBPerMinute ?? Number.NaN) - 0.5) < 1e-9, `growth ${summary.growthMiBPerMinute}`);
  assert.equal(summary.peakMiB, 204.5);
  assert.equal(summary.firstAfterWarmupMiB, 200);
  assert.equal(summary.lastMiB, 204.5);
});

test('a flat sawtooth (garbage collections) shows no growth; too few samples give none', () => {
  const summary = summarise(every10s((t) => (t % 20 === 0 ? 300 : 310), 600), 'daemon', 60);
  assert.ok(Math.abs(summary.growthMiBPerMinute ?? Number.NaN) < 0.2, `growth ${summary.growthMiBPerMinute}`);
  assert.equal(summarise(every10s(() => 100, 60), 'daemon', 60).growthMiBPerMinute, null);
  assert.equal(summarise(every10s(() => 100, 60), 'nobody', 60).peakMiB, 0);
});
