/**
 * RSS samples of the benchmark's processes over a long run, and what they say: the peak, and the
 * growth per minute after a warm-up (the least-squares slope of the samples past it, so that one
 * garbage collection at either end does not decide the figure). Pure: samples are passed in.
 */

export interface RssSample {
  /** Seconds since the load started. */
  readonly atSeconds: number;
  /** MiB per process name. */
  readonly rssMiB: Readonly<Record<string, number>>;
}

export interface MemorySummary {
  readonly peakMiB: number;
  /** MiB per minute after the warm-up; null with fewer than two samples past it. */
  readonly growthMiBPerMinute: number | null;
  readonly firstAfterWarmupMiB: number | null;
  readonly lastMiB: number | null;
}

export function summarise(samples: readonly RssSample[], name: string, warmupSeconds: number): MemorySummary {
  const points = samples.filter((s) => s.rssMiB[name] !== undefined).map((s) => ({ x: s.atSeconds / 60, y: s.rssMiB[name] ?? 0 }));
  const peakMiB = points.reduce((peak, p) => Math.max(peak, p.y), 0);
  const after = points.filter((p) => p.x * 60 >= warmupSeconds);
  if (after.length < 2) return { peakMiB, growthMiBPerMinute: null, firstAfterWarmupMiB: after[0]?.y ?? null, lastMiB: points.at(-1)?.y ?? null };
  const meanX = after.reduce((sum, p) => sum + p.x, 0) / after.length;
  const meanY = after.reduce((sum, p) => sum + p.y, 0) / after.length;
  const covariance = after.reduce((sum, p) => sum + (p.x - meanX) * (p.y - meanY), 0);
  const variance = after.reduce((sum, p) => sum + (p.x - meanX) ** 2, 0);
  return { peakMiB, growthMiBPerMinute: covariance / variance, firstAfterWarmupMiB: after[0]?.y ?? null, lastMiB: after.at(-1)?.y ?? null };
}

/** The growth as a signed figure, "+0.12 MiB/min", or "n/a" when not measured. */
export function growthText(summary: MemorySummary): string {
  const growth = summary.growthMiBPerMinute;
  return growth === null ? 'n/a' : `${growth >= 0 ? '+' : ''}${growth.toFixed(2)} MiB/min`;
}
