import type { StatsBucket } from '../storage/stats-port.js';
import { escapeHtml } from './html.js';

/**
 * A bar chart as inline SVG, drawn on the server (no front-end library): one group of bars per
 * bucket (accepted, delivered, failed), the largest value on the axis. Pure.
 */
export interface ChartOptions {
  readonly since: Date;
  readonly bucketMs: number;
  readonly buckets: number;
  /** Legend words for the three bars, in the reader's language. */
  readonly legend: { readonly messages: string; readonly delivered: string; readonly failed: string };
  readonly title: string;
  readonly width?: number;
  readonly height?: number;
}

const colours = { messages: '#4e79a7', delivered: '#59a14f', failed: '#e15759' } as const;

function label(date: Date, bucketMs: number): string {
  const iso = date.toISOString();
  return bucketMs >= 86_400_000 ? iso.slice(5, 10) : iso.slice(11, 16);
}

export function barChartSvg(data: readonly StatsBucket[], options: ChartOptions): string {
  const width = options.width ?? 720;
  const height = options.height ?? 200;
  const left = 40, bottom = 20, top = 20;
  const plotWidth = width - left - 10;
  const plotHeight = height - bottom - top;
  const byIndex = new Map<number, StatsBucket>();
  for (const bucket of data) byIndex.set(Math.round((bucket.start.getTime() - options.since.getTime()) / options.bucketMs), bucket);
  const max = Math.max(1, ...data.map((bucket) => bucket.messages));
  const slot = plotWidth / options.buckets;
  const bar = Math.max(1, slot / 3 - 0.5);
  const parts: string[] = [];
  for (let index = 0; index < options.buckets; index += 1) {
    const bucket = byIndex.get(index);
    if (bucket === undefined) continue;
    const x = left + index * slot;
    const at = new Date(options.since.getTime() + index * options.bucketMs);
    (['messages', 'delivered', 'failed'] as const).forEach((series, offset) => {
      const value = bucket[series];
      const h = (value / max) * plotHeight;
      parts.push(`<rect x="${(x + offset * (bar + 0.5)).toFixed(1)}" y="${(top + plotHeight - h).toFixed(1)}" width="${bar.toFixed(1)}" height="${h.toFixed(1)}" fill="${colours[series]}"><title>${escapeHtml(label(at, options.bucketMs))} ${escapeHtml(options.legend[series])}: ${value}</title></rect>`);
    });
  }
  const ticks = [0, Math.floor(options.buckets / 2), options.buckets - 1].map((index) => {
    const at = new Date(options.since.getTime() + index * options.bucketMs);
    return `<text x="${(left + index * slot).toFixed(1)}" y="${height - 5}" font-size="10">${escapeHtml(label(at, options.bucketMs))}</text>`;
  });
  const legend = (['messages', 'delivered', 'failed'] as const).map((series, index) =>
    `<rect x="${left + index * 110}" y="4" width="10" height="10" fill="${colours[series]}"/><text x="${left + index * 110 + 14}" y="13" font-size="11">${escapeHtml(options.legend[series])}</text>`);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" role="img" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" aria-label="${escapeHtml(options.title)}">`,
    `<title>${escapeHtml(options.title)}</title>`,
    `<line x1="${left}" y1="${top + plotHeight}" x2="${width - 10}" y2="${top + plotHeight}" stroke="#888"/>`,
    `<text x="2" y="${top + 8}" font-size="10">${max}</text><text x="2" y="${top + plotHeight}" font-size="10">0</text>`,
    ...legend,
    ...parts,
    ...ticks,
    '</svg>',
  ].join('');
}
