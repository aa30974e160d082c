import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import type { StatsSummary } from '../../daemon/storage/stats-port.js';
import type { ClusterReport } from '../../daemon/cluster/cluster-view.js';
import { adminPage } from '../../daemon/web/admin-pages.js';
import { toCsv } from '../../daemon/web/csv.js';
import { clusterSection, dashboardText, LATE_REPORT_MS } from '../../daemon/web/dashboard.js';
import { chartWindow, clientFigures } from '../../daemon/web/figures.js';
import { escapeHtml } from '../../daemon/web/html.js';
import { chooseLang, dictionaryOf, langOfAcceptLanguage } from '../../daemon/web/i18n.js';
import { figureText } from '../../daemon/web/live-text.js';
import { dateRange, searchOf } from '../../daemon/web/request-params.js';
import { barChartSvg } from '../../daemon/web/svg-chart.js';
import type { ClientId } from '../../daemon/domain/ids.js';

/** The pure parts of the web pages: figures, charts, CSV, languages, query parameters, the dashboard's cluster part. */

function summary(overrides: Partial<StatsSummary>): StatsSummary {
  return { messages: 0, segments: 0, byStatus: {}, submitted: 0, deliveryLatencyMeanMs: null, deliveryLatencyMaxMs: null, ...overrides };
}

test('figures: statuses fold into delivered, failed, expired and waiting; the ratio is over final messages', () => {
  const day = summary({
    messages: 10, segments: 12, submitted: 8, deliveryLatencyMeanMs: 1500, deliveryLatencyMaxMs: 4000,
    byStatus: { delivered: 6, undeliverable: 1, rejected: 1, expired: 1, submitted: 1 },
  });
  const figures = clientFigures(day, summary({ segments: 25 }), 10_000, 50);
  assert.deepEqual(figures, {
    accepted: 10, submitted: 8, delivered: 6, failed: 2, expired: 1, waiting: 1, ratePerS: 2.5, reservedTps: 50,
    deliveryRatio: 0.667, latencyMeanMs: 1500, latencyMaxMs: 4000,
  });
  const text = figureText(figures);
  assert.equal(text.deliveryRatio, '66.7 %');
  assert.equal(text.latency, '1.5 s');
  assert.equal(figureText(clientFigures(summary({}), summary({}), 10_000, 0)).deliveryRatio, '—');
});

test('charts: the window ends with the current bucket and starts on a bucket boundary', () => {
  const now = Date.parse('2026-11-26T03:42:17Z');
  const hour = chartWindow('hour', now);
  assert.equal(hour.until.toISOString(), '2026-11-26T03:43:00.000Z');
  assert.equal(hour.since.toISOString(), '2026-11-26T02:43:00.000Z');
  assert.equal(hour.buckets, 60);
  const month = chartWindow('month', now);
  assert.equal(month.since.toISOString(), '2026-10-28T00:00:00.000Z');
  assert.equal(month.bucketMs, 86_400_000);
});

test('charts: one bar per series in a bucket, heights to scale, text escaped', () => {
  const since = new Date('2026-11-26T02:00:00Z');
  const svg = barChartSvg(
    [{ start: new Date(since.getTime() + 2 * 60_000), messages: 10, segments: 10, delivered: 5, failed: 1 }],
    { since, bucketMs: 60_000, buckets: 60, title: 'Last <hour>', legend: { messages: 'accepted', delivered: 'delivered', failed: 'failed' }, width: 640, height: 200 },
  );
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.match(svg, /<title>Last &lt;hour&gt;<\/title>/);
  const heights = [...svg.matchAll(/<rect x="[\d.]+" y="[\d.]+" width="[\d.]+" height="([\d.]+)" fill="#(4e79a7|59a14f|e15759)"><title>/g)].map((m) => Number(m[1]));
  assert.deepEqual(heights, [160, 80, 16], 'plot height 160: 10 → full, 5 → half, 1 → a tenth');
  assert.match(svg, /02:02 accepted: 10/);
});

test('CSV: CRLF lines, quoted fields where needed, formula-looking text defused', () => {
  assert.equal(toCsv(['key', 'n'], [['a,b', 1], ['say "hi"', 2], ['=SUM(A1)', 3], ['-5', null]]),
    'key,n\r\n"a,b",1\r\n"say ""hi""",2\r\n\'=SUM(A1),3\r\n\'-5,\r\n');
  assert.equal(toCsv(['n'], [[-5]]), 'n\r\n-5\r\n', 'numbers stay numbers');
});

test('HTML: escaping covers the five special characters', () => {
  assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  assert.equal(escapeHtml(null), '');
});

test('languages: Accept-Language picks the best we have; the session\'s choice wins, then the query', () => {
  assert.equal(langOfAcceptLanguage('ru-RU,ru;q=0.9,en-US;q=0.8'), 'ru');
  assert.equal(langOfAcceptLanguage('de-DE,en;q=0.5,ru;q=0.7'), 'ru');
  assert.equal(langOfAcceptLanguage('de, fr'), 'en');
  assert.equal(langOfAcceptLanguage('ru;q=0'), 'en');
  assert.equal(langOfAcceptLanguage(undefined), 'en');
  assert.equal(chooseLang('ru', 'en', 'en'), 'ru');
  assert.equal(chooseLang(null, 'ru', 'en'), 'ru');
  assert.equal(chooseLang(null, 'xx', 'ru'), 'ru');
});

test('languages: both dictionaries have every key, and Russian text differs from English', () => {
  const en = dictionaryOf('en');
  const ru = dictionaryOf('ru');
  assert.deepEqual(Object.keys(ru).sort(), Object.keys(en).sort());
  for (const key of Object.keys(en) as (keyof typeof en)[]) {
    assert.ok(ru[key].length > 0, key);
    assert.match(ru[key], /[А-Яа-яЁё]|smsproc|TPS/, `${key} is Russian`);
  }
});

test('query parameters: dates are UTC days (until includes its day); search filters normalise the number', () => {
  const now = Date.parse('2026-11-26T12:00:00Z');
  const range = dateRange({ since: '2026-11-01', until: '2026-11-02' }, now);
  assert.equal(range.since.toISOString(), '2026-11-01T00:00:00.000Z');
  assert.equal(range.until.toISOString(), '2026-11-03T00:00:00.000Z');
  assert.throws(() => dateRange({ since: '2026-13-45' }, now), /since/);
  assert.throws(() => dateRange({ since: '2026-11-05', until: '2026-11-01' }, now), /before until/);
  const search = searchOf({ number: '+7 (916) 123-45-67', status: 'delivered', sender: '', limit: '5' }, 'acme' as ClientId, now);
  assert.equal(search.recipient, '79161234567');
  assert.equal(search.status, 'delivered');
  assert.equal(search.sender, undefined);
  assert.equal(search.limit, 5);
  assert.throws(() => searchOf({ status: 'lost' }, 'acme' as ClientId, now), /status/);
  assert.throws(() => searchOf({ limit: '0' }, 'acme' as ClientId, now), /limit/);
});

const clusterReport = (overrides: Partial<ClusterReport>): ClusterReport => ({
  takenAt: Date.parse('2026-11-26T10:00:00Z'), coordinator: 'etcd', self: 'n1', phase: 'live', liveAt: Date.parse('2026-11-26T10:00:00Z'),
  nodes: [{ id: 'n2', site: '<b>', weight: 0 }, { id: 'n1', site: 'a', weight: 1 }],
  owners: [{ resource: 'route/r/bind/10', nodeId: 'n1', epoch: 12 }, { resource: 'route/r/bind/2', nodeId: 'gone', epoch: 7 }, { resource: 'pool/p/active', nodeId: 'n1', epoch: 3 }],
  pins: [{ resource: 'route/r/bind/2', nodeId: 'n2' }],
  pools: [{ name: 'p', nodes: ['n1', 'n2'], active: 'n1', epoch: 3 }],
  changes: [{ at: Date.parse('2026-11-26T09:59:00Z'), resource: 'route/r/bind/10', from: 'n2', to: 'n1', epoch: 12, kind: 'takeover' }],
  ...overrides,
});

test('dashboard cluster: nodes by site, every bind of an enabled route with its owner, late or fenced views marked not current', () => {
  const now = Date.parse('2026-11-26T10:00:01Z');
  const routes = [{ id: 'r', binds: 3, disabled: false }, { id: 'off', binds: 1, disabled: true }];
  const current = clusterSection(clusterReport({}), now, routes);
  assert.deepEqual([current.scope, current.staleness, current.asOf], ['cluster', null, '2026-11-26T10:00:00.000Z']);
  assert.deepEqual(current.nodes.map((n) => [n.id, n.state, n.bindsOwned, n.self]), [['n2', 'draining', 0, false], ['n1', 'live', 1, true]]);
  assert.deepEqual(current.binds.map((b) => [b.resource, b.owner, b.epoch, b.ownerLive, b.pinnedTo]), [
    ['route/r/bind/0', null, null, false, null],
    ['route/r/bind/1', null, null, false, null],
    ['route/r/bind/2', 'gone', 7, false, 'n2'],
    ['route/r/bind/10', 'n1', 12, true, null],
  ]);
  assert.equal(current.failovers[0]?.at, '2026-11-26T09:59:00.000Z');

  const fenced = clusterSection(clusterReport({ phase: 'fenced', takenAt: now, liveAt: Date.parse('2026-11-26T09:58:00Z') }), now, routes);
  assert.deepEqual([fenced.scope, fenced.staleness, fenced.asOf], ['unavailable', 'coordinator-unreachable', '2026-11-26T09:58:00.000Z']);
  assert.match(fenced.note, /^NOT CURRENT: .* as of 2026-11-26 09:58:00\.$/);
  assert.equal(fenced.nodes.length, 2, 'the last known view stays, marked');
  const late = clusterSection(clusterReport({}), now + LATE_REPORT_MS + 1, routes);
  assert.deepEqual([late.scope, late.staleness], ['unavailable', 'report-late']);
  const none = clusterSection(null, now, routes);
  assert.deepEqual([none.scope, none.staleness, none.asOf, none.nodes, none.failovers], ['unavailable', 'no-report', null, [], []]);
  assert.deepEqual(none.binds.map((b) => b.owner), [null, null, null], 'the binds that should have an owner are listed without one');

  const text = dashboardText({
    at: new Date(now).toISOString(), node: { id: 'n1', site: 'a', health: 'ok', uptimeS: 1, provisioningVersion: 1 }, cluster: fenced, binds: [],
    queues: { mt: [], callbacks: [] }, clients: [], callbacks: { backlog: 0, dead: 0, inFlight: 0 },
  }, now);
  assert.match(text.text['clusterNote-ru'] ?? '', /^НЕ АКТУАЛЬНО: .* на 2026-11-26 09:58:00\.$/);
  const ru = dictionaryOf('ru');
  const html = adminPage({ lang: 'ru', t: (key) => ru[key], login: 'ops', csrfToken: 'x', update: text });
  assert.match(html, /<td>n2<\/td><td>&lt;b&gt;<\/td><td>0<\/td><td>draining<\/td>/, 'a site is escaped');
  assert.match(html, /<span data-k="clusterNote-ru">НЕ АКТУАЛЬНО/);
  assert.doesNotMatch(html, /data-k="clusterNote-en"/);
  assert.match(html, /<tbody data-table="failovers"><tr><td>2026-11-26 09:59:00<\/td><td>route\/r\/bind\/10<\/td><td>n2<\/td><td>n1<\/td><td>12<\/td><td>takeover<\/td>/);
});
