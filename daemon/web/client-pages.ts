import type { ClientRecord } from '../domain/provisioning.js';
import { MessageStatus } from '../domain/status.js';
import type { MessageView } from '../storage/port.js';
import type { MessageSummary } from '../storage/stats-port.js';
import { escapeHtml, page } from './html.js';
import { languages, type Lang, type TextKey, type Translate } from './i18n.js';
import { figureKeys, formatTime, messageRow, type FigureKey } from './live-text.js';

/** The client statistics pages as HTML (docs/web.md). Pure: every value comes in as an argument. */

const ASSETS = '/stats/assets';

export interface PageContext {
  readonly lang: Lang;
  readonly t: Translate;
}

export interface SessionPageContext extends PageContext {
  readonly client: ClientRecord;
  readonly csrfToken: string;
}

function csrfField(token: string): string {
  return `<input type="hidden" name="_csrf" value="${escapeHtml(token)}">`;
}

function header(context: SessionPageContext): string {
  const { t, lang } = context;
  const options = languages.map((code) => `<option value="${code}"${code === lang ? ' selected' : ''}>${code === 'ru' ? 'Русский' : 'English'}</option>`).join('');
  return `<header><h1><a href="/stats">${escapeHtml(t('title'))}</a></h1><span class="who">${escapeHtml(context.client.name)}</span>`
    + `<form method="post" action="/stats/lang" class="inline">${csrfField(context.csrfToken)}<label>${escapeHtml(t('language'))} <select name="lang">${options}</select></label> <button type="submit">OK</button></form>`
    + `<form method="post" action="/stats/logout" class="inline">${csrfField(context.csrfToken)}<button type="submit" id="logout">${escapeHtml(t('logout'))}</button></form></header>`;
}

/** The login form of the statistics (`/stats`) or the dashboard (`/admin`). */
export function loginPage(context: PageContext & { readonly failed: boolean; readonly base: '/stats' | '/admin'; readonly title: string }): string {
  const { t, lang } = context;
  const switcher = languages.map((code) => `<a href="?lang=${code}" hreflang="${code}">${code === 'ru' ? 'Русский' : 'English'}</a>`).join(' | ');
  const body = `<main class="login"><h1>${escapeHtml(context.title)}</h1>`
    + (context.failed ? `<p class="error" role="alert">${escapeHtml(t('loginFailed'))}</p>` : '')
    + `<form method="post" action="${context.base}/login"><input type="hidden" name="lang" value="${lang}">`
    + `<label>${escapeHtml(t('username'))} <input name="username" autocomplete="username" required></label>`
    + `<label>${escapeHtml(t('password'))} <input name="password" type="password" autocomplete="current-password" required></label>`
    + `<button type="submit">${escapeHtml(t('login'))}</button></form><p>${switcher}</p></main>`;
  return page({ lang, title: context.title, body, assets: `${context.base}/assets` });
}

function table(head: readonly string[], rows: readonly (readonly string[])[], name: string, links?: (row: readonly string[]) => string | null): string {
  const body = rows.map((row) => {
    const link = links?.(row) ?? null;
    return `<tr>${row.map((cell, index) => `<td>${index === 0 && link !== null ? `<a href="${escapeHtml(link)}">${escapeHtml(cell)}</a>` : escapeHtml(cell)}</td>`).join('')}</tr>`;
  }).join('');
  return `<table><thead><tr>${head.map((cell) => `<th>${escapeHtml(cell)}</th>`).join('')}</tr></thead><tbody data-table="${name}">${body}</tbody></table>`;
}

function messageHead(t: Translate): string[] {
  return [t('messageId'), t('number'), t('sender'), t('status'), t('acceptedAt'), t('doneAt')];
}

export interface DashboardPage extends SessionPageContext {
  readonly figures: Readonly<Record<FigureKey, string>>;
  readonly recent: readonly MessageSummary[];
  readonly charts: { readonly hour: string; readonly day: string; readonly month: string };
  readonly defaultSince: string;
  readonly defaultUntil: string;
}

export function dashboardPage(context: DashboardPage): string {
  const { t } = context;
  const figures = figureKeys.map((key) => `<div><dt>${escapeHtml(t(key as TextKey))}</dt><dd data-k="${key}">${escapeHtml(context.figures[key])}</dd></div>`).join('');
  const statuses = Object.values(MessageStatus).map((status) => `<option value="${status}">${status}</option>`).join('');
  const dates = `<label>${escapeHtml(t('from'))} <input type="date" name="since" value="${context.defaultSince}"></label> <label>${escapeHtml(t('to'))} <input type="date" name="until" value="${context.defaultUntil}"></label>`;
  const reportButtons = (['day', 'sender', 'route', 'status'] as const).map((kind) => {
    const key: TextKey = kind === 'day' ? 'reportDay' : kind === 'sender' ? 'reportSender' : kind === 'route' ? 'reportRoute' : 'reportStatus';
    return `<button type="submit" formaction="/stats/reports/${kind}.csv" id="report-${kind}">${escapeHtml(t(key))}</button>`;
  }).join(' ');
  const body = header(context)
    + `<main><section id="live" data-live="/stats/live"><h2>${escapeHtml(t('live'))}</h2><dl class="figures">${figures}</dl>`
    + `<p class="muted">${escapeHtml(t('updated'))}: <span data-k="at"></span></p>`
    + table(messageHead(t), context.recent.map(messageRow), 'recent', (row) => `/stats/messages/${row[0] ?? ''}`)
    + '</section>'
    + `<section><h2>${escapeHtml(t('charts'))}</h2>`
    + (['hour', 'day', 'month'] as const).map((range) => `<figure data-chart="/stats/charts/${range}.svg"><figcaption>${escapeHtml(t(range === 'hour' ? 'lastHour' : range === 'day' ? 'lastDay' : 'lastMonth'))}</figcaption>${context.charts[range]}</figure>`).join('')
    + '</section>'
    + `<section><h2>${escapeHtml(t('search'))}</h2><form method="get" action="/stats/messages" class="search">`
    + `<label>${escapeHtml(t('number'))} <input name="number" inputmode="tel"></label> <label>${escapeHtml(t('messageId'))} <input name="id"></label> `
    + `<label>${escapeHtml(t('sender'))} <input name="sender"></label> <label>${escapeHtml(t('status'))} <select name="status"><option value="">${escapeHtml(t('any'))}</option>${statuses}</select></label> `
    + `${dates} <button type="submit" id="find">${escapeHtml(t('find'))}</button></form></section>`
    + `<section><h2>${escapeHtml(t('reports'))}</h2><form method="get" action="/stats/reports/day.csv">${dates} ${reportButtons}</form></section></main>`;
  return page({ lang: context.lang, title: `${t('title')} — ${context.client.name}`, body, assets: ASSETS, script: true });
}

export function searchPage(context: SessionPageContext & { readonly results: readonly MessageSummary[] }): string {
  const { t } = context;
  const body = header(context) + `<main><h2>${escapeHtml(t('results'))}</h2>`
    + (context.results.length === 0 ? `<p>${escapeHtml(t('noResults'))}</p>` : table(messageHead(t), context.results.map(messageRow), 'results', (row) => `/stats/messages/${row[0] ?? ''}`))
    + `<p><a href="/stats">${escapeHtml(t('back'))}</a></p></main>`;
  return page({ lang: context.lang, title: t('results'), body, assets: ASSETS });
}

export function messagePage(context: SessionPageContext & { readonly message: MessageView }): string {
  const { t, message } = context;
  const facts: [TextKey, string][] = [
    ['messageId', message.id], ['number', message.recipient], ['sender', message.sender], ['status', message.status],
    ['segments', String(message.segments)], ['route', message.routeId], ['acceptedAt', formatTime(message.acceptedAt)],
    ['doneAt', formatTime(message.doneAt)], ['detail', [message.errorCode, message.reason].filter((v) => v !== null).join(' ')],
  ];
  const body = header(context) + `<main><h2>${escapeHtml(message.id)}</h2><dl class="facts">`
    + facts.map(([key, value]) => `<div><dt>${escapeHtml(t(key))}</dt><dd data-fact="${key}">${escapeHtml(value)}</dd></div>`).join('')
    + `</dl><h3>${escapeHtml(t('history'))}</h3>`
    + table([t('time'), t('status'), t('detail')], message.history.map((event) => [formatTime(event.at), event.status, event.detail ?? '']), 'history')
    + `<p><a href="/stats">${escapeHtml(t('back'))}</a></p></main>`;
  return page({ lang: context.lang, title: message.id, body, assets: ASSETS });
}
