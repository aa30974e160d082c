import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import type { StatsSummary } from '../../daemon/storage/stats-port.js';
import { toCsv } from '../../daemon/web/csv.js';
import { chartWindow, clientFigures } from '../../daemon/web/figures.js';
import { escapeHtml } from '../../daemon/web/html.js';
import { chooseLang, dictionaryOf, langOfAcceptLanguage } from '../../daemon/web/i18n.js';
import { figureText } from '../../daemon/web/live-text.js';
import { dateRange, searchOf } from '../../daemon/web/request-params.js';
import { barChartSvg } from '../../daemon/web/svg-chart.js';
import type { ClientId } from '../../daemon/domain/ids.js';

/** The pure parts of the web pages: figures, charts, CSV, languages, query parameters. */

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
