import type { MessageSummary } from '../storage/stats-port.js';
import type { ClientFigures } from './figures.js';

/**
 * Figures and table rows as the pages show them, formatted once on the server: the first render and
 * every live update use the same text, and the page script only copies it into place. Pure.
 */
export function formatCount(value: number): string {
  return String(value);
}

export function formatMs(value: number | null): string {
  if (value === null) return '—';
  return value < 1000 ? `${value} ms` : `${(value / 1000).toFixed(1)} s`;
}

export function formatRatio(value: number | null): string {
  return value === null ? '—' : `${(value * 100).toFixed(1)} %`;
}

export function formatTime(value: Date | null): string {
  return value === null ? '' : value.toISOString().replace('T', ' ').slice(0, 19);
}

/** Keys of the client figures the page shows, in order. */
export const figureKeys = ['accepted', 'submitted', 'delivered', 'failed', 'expired', 'waiting', 'rate', 'reservation', 'deliveryRatio', 'latency', 'latencyMax'] as const;
export type FigureKey = (typeof figureKeys)[number];

export function figureText(figures: ClientFigures): Record<FigureKey, string> {
  return {
    accepted: formatCount(figures.accepted),
    submitted: formatCount(figures.submitted),
    delivered: formatCount(figures.delivered),
    failed: formatCount(figures.failed),
    expired: formatCount(figures.expired),
    waiting: formatCount(figures.waiting),
    rate: figures.ratePerS.toFixed(1),
    reservation: formatCount(figures.reservedTps),
    deliveryRatio: formatRatio(figures.deliveryRatio),
    latency: formatMs(figures.latencyMeanMs),
    latencyMax: formatMs(figures.latencyMaxMs),
  };
}

/** A row of the recent-messages and search tables: id, number, sender, status, accepted, final. */
export function messageRow(message: MessageSummary): string[] {
  return [message.id, message.recipient, message.sender, message.status, formatTime(message.acceptedAt), formatTime(message.doneAt)];
}

/** What the page script receives: text for `[data-k]` elements and rows for `[data-table]` bodies. */
export interface LiveUpdate {
  readonly text: Readonly<Record<string, string>>;
  readonly tables: Readonly<Record<string, readonly (readonly string[])[]>>;
}
