import { escapeHtml, page } from './html.js';
import type { Lang, TextKey, Translate } from './i18n.js';
import type { LiveUpdate } from './live-text.js';

/** The operator dashboard page (docs/web.md). Pure: the first render of the same text the live stream sends. */

function table(t: Translate, head: readonly TextKey[], name: string, rows: readonly (readonly string[])[]): string {
  return `<table><thead><tr>${head.map((key) => `<th>${escapeHtml(t(key))}</th>`).join('')}</tr></thead>`
    + `<tbody data-table="${name}">${rows.map((row) => `<tr>${row.map((cell) => `<td>${escapeHtml(cell)}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
}

export function adminPage(context: { readonly lang: Lang; readonly t: Translate; readonly login: string; readonly csrfToken: string; readonly update: LiveUpdate }): string {
  const { t, update } = context;
  const text = (key: string): string => `<span data-k="${key}">${escapeHtml(update.text[key] ?? '')}</span>`;
  const rows = (name: string): readonly (readonly string[])[] => update.tables[name] ?? [];
  const body = `<header><h1>${escapeHtml(t('adminTitle'))}</h1><span class="who">${escapeHtml(context.login)}</span>`
    + `<form method="post" action="/admin/logout" class="inline"><input type="hidden" name="_csrf" value="${escapeHtml(context.csrfToken)}"><button type="submit" id="logout">${escapeHtml(t('logout'))}</button></form></header>`
    + `<main data-live="/admin/live"><p class="muted">${escapeHtml(t('updated'))}: ${text('at')}</p>`
    + `<section><h2>${escapeHtml(t('node'))}</h2><dl class="facts"><div><dt>${escapeHtml(t('node'))}</dt><dd>${text('nodeId')}</dd></div>`
    + `<div><dt>${escapeHtml(t('site'))}</dt><dd>${text('site')}</dd></div><div><dt>${escapeHtml(t('health'))}</dt><dd>${text('health')}</dd></div>`
    + `<div><dt>${escapeHtml(t('uptime'))}</dt><dd>${text('uptime')}</dd></div></dl>`
    + `<h3>${escapeHtml(t('cluster'))}</h3><p>${text(`clusterNote-${context.lang}`)}</p>`
    + `<dl class="facts"><div><dt>${escapeHtml(t('coordinator'))}</dt><dd>${text('clusterCoordinator')}</dd></div>`
    + `<div><dt>${escapeHtml(t('scope'))}</dt><dd>${text('clusterScope')}</dd></div><div><dt>${escapeHtml(t('asOf'))}</dt><dd>${text('clusterAsOf')}</dd></div></dl>`
    + table(t, ['node', 'site', 'weight', 'state', 'bindsOwned'], 'nodes', rows('nodes'))
    + `<h3>${escapeHtml(t('bindOwners'))}</h3>${table(t, ['bind', 'owner', 'epoch', 'ownerLive', 'pinnedTo'], 'bindOwners', rows('bindOwners'))}`
    + `<h3>${escapeHtml(t('pools'))}</h3>${table(t, ['pool', 'poolNodes', 'activeNode', 'epoch'], 'pools', rows('pools'))}`
    + `<h3>${escapeHtml(t('failovers'))}</h3>${table(t, ['time', 'bind', 'fromNode', 'toNode', 'epoch', 'changeKind'], 'failovers', rows('failovers'))}</section>`
    + `<section><h2>${escapeHtml(t('binds'))}</h2>${table(t, ['bind', 'owner', 'state', 'epoch', 'window', 'tps', 'throttled', 'errors'], 'binds', rows('binds'))}</section>`
    + `<section><h2>${escapeHtml(t('queues'))}</h2>${table(t, ['route', 'state', 'messages', 'oldestAge'], 'mtQueues', rows('mtQueues'))}`
    + `<h3>${escapeHtml(t('callbackQueues'))}</h3><dl class="facts"><div><dt>${escapeHtml(t('callbackBacklog'))}</dt><dd>${text('callbackBacklog')}</dd></div>`
    + `<div><dt>${escapeHtml(t('deadLetters'))}</dt><dd>${text('deadLetters')}</dd></div></dl>`
    + `${table(t, ['client', 'state', 'events', 'oldestAge'], 'callbackQueues', rows('callbackQueues'))}</section>`
    + `<section><h2>${escapeHtml(t('clients'))}</h2>${table(t, ['client', 'name', 'rate', 'reservation', 'queued', 'callbackBacklog', 'deadLetters'], 'clients', rows('clients'))}</section></main>`;
  return page({ lang: context.lang, title: t('adminTitle'), body, assets: '/admin/assets', script: true });
}
