import type { ClientId } from '../domain/ids.js';
import type { MessageSummary } from '../storage/stats-port.js';
import { chartWindow, clientFigures, type ChartRange, type ClientFigures } from './figures.js';
import type { Translate } from './i18n.js';
import type { LiveSource } from './live-feed.js';
import { figureText, messageRow, type LiveUpdate } from './live-text.js';
import { barChartSvg } from './svg-chart.js';
import type { WebContext } from './web-context.js';

const DAY_MS = 86_400_000;
/** The current rate is the segments accepted over this window. */
export const RATE_WINDOW_MS = 10_000;
const RECENT_MESSAGES = 10;

/** A client's figures, recent messages and charts from the store; also the live feed's source per client. */
export class ClientStats implements LiveSource {
  constructor(private readonly context: WebContext) {}

  async figures(clientId: ClientId, now: number): Promise<ClientFigures> {
    const { store, provisioning } = this.context;
    const until = new Date(now + 1);
    const [day, recent] = await Promise.all([
      store.statsSummary({ clientId, since: new Date(now - DAY_MS), until }),
      store.statsSummary({ clientId, since: new Date(now - RATE_WINDOW_MS), until }),
    ]);
    return clientFigures(day, recent, RATE_WINDOW_MS, provisioning.clientById(clientId)?.reservedTps ?? 0);
  }

  recent(clientId: ClientId, now: number): Promise<readonly MessageSummary[]> {
    return this.context.store.searchMessages({ clientId, since: new Date(now - DAY_MS), until: new Date(now + 1), limit: RECENT_MESSAGES });
  }

  async chart(clientId: ClientId, range: ChartRange, t: Translate, now: number): Promise<string> {
    const window = chartWindow(range, now);
    const buckets = await this.context.store.statsSeries({ clientId, since: window.since, until: window.until, bucketMs: window.bucketMs });
    const title = t(range === 'hour' ? 'lastHour' : range === 'day' ? 'lastDay' : 'lastMonth');
    return barChartSvg(buckets, {
      since: window.since, bucketMs: window.bucketMs, buckets: window.buckets, title,
      legend: { messages: t('messagesLegend'), delivered: t('deliveredLegend'), failed: t('failedLegend') },
    });
  }

  /** The live update of one client: figures as text and the recent messages. */
  async compute(subject: string): Promise<LiveUpdate & { readonly figures: ClientFigures }> {
    const now = this.context.clock();
    const clientId = subject as ClientId;
    const [figures, recent] = await Promise.all([this.figures(clientId, now), this.recent(clientId, now)]);
    return { figures, text: { ...figureText(figures), at: new Date(now).toISOString().slice(11, 19) }, tables: { recent: recent.map(messageRow) } };
  }
}
