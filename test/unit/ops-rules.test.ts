import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { parse } from 'yaml';
import { createMetrics } from '../../daemon/stats/metrics.js';
import { openTestSqliteStore } from '../storage/sqlite-factory.js';

/** The project root: this file runs as dist/test/unit/ops-rules.test.js. */
const projectRoot = fileURLToPath(new URL('../../../', import.meta.url));
const read = (...path: string[]): string => readFileSync(join(projectRoot, ...path), 'utf8');

/** Every series name the node exports: counters and gauges as named, histograms with their suffixes. */
async function exportedNames(): Promise<Set<string>> {
  const handle = await openTestSqliteStore();
  try {
    const metrics = createMetrics({ config: { node: { id: 'n', site: 's' }, metrics: { perClientSeries: true, maxClientSeries: 5 } }, store: handle.store });
    const names = new Set<string>();
    for (const metric of await metrics.registry.getMetricsAsJSON()) {
      const type = String(metric.type);
      const suffixes = type === 'histogram' ? ['_bucket', '_sum', '_count'] : type === 'summary' ? ['', '_sum', '_count'] : [''];
      for (const suffix of suffixes) names.add(`${metric.name}${suffix}`);
    }
    return names;
  } finally {
    await handle.cleanup();
  }
}

/** Metric names a PromQL expression uses (ours and Node's process metrics; `up` is Prometheus's own). */
function metricNamesIn(expr: string): string[] {
  return [...expr.matchAll(/\b((?:smsproc|process|nodejs)_[a-z0-9_]+)\b/g)].map((match) => match[1] ?? '');
}

interface Rule { alert: string; expr: string; annotations: Record<string, string> }

test('alert rules use only exported metrics, and each links its own runbook section', async () => {
  const names = await exportedNames();
  const rules = (parse(read('ops', 'prometheus', 'alerts.yml')) as { groups: { rules: Rule[] }[] }).groups.flatMap((group) => group.rules);
  const runbook = read('docs', 'runbook.md');
  const sections = new Set([...runbook.matchAll(/^## (\S+)$/gm)].map((match) => match[1]));
  const required = ['SmsprocBindDown', 'SmsprocQueueAgeRising', 'SmsprocReceiptRatioFalling', 'SmsprocCallbackDeadLetters', 'SmsprocNodeFenced', 'SmsprocEtcdUnreachable', 'SmsprocRedisUnreachable'];
  for (const alert of required) assert.ok(rules.some((rule) => rule.alert === alert), `missing alert ${alert}`);
  for (const rule of rules) {
    const used = metricNamesIn(rule.expr);
    assert.ok(used.length > 0 || /\bup\{/.test(rule.expr), `${rule.alert} uses no metric`);
    for (const name of used) assert.ok(names.has(name), `${rule.alert} uses ${name}, which the node does not export`);
    assert.ok(sections.has(rule.alert), `docs/runbook.md has no section "## ${rule.alert}"`);
    assert.equal(rule.annotations.runbook_url, `docs/runbook.md#${rule.alert.toLowerCase()}`, rule.alert);
    assert.ok((rule.annotations.summary ?? '') !== '', `${rule.alert} has a summary`);
  }
  assert.deepEqual([...sections].filter((section) => !rules.some((rule) => rule.alert === section)), [], 'no runbook section without an alert');
});

test('the Grafana dashboard is dashboard JSON whose queries use only exported metrics', async () => {
  const names = await exportedNames();
  const dashboard = JSON.parse(read('ops', 'grafana', 'smsproc-dashboard.json')) as {
    uid: string; title: string; schemaVersion: number;
    panels: { type: string; title: string; gridPos: object; targets?: { expr: string; refId: string }[] }[];
    templating: { list: { name: string; definition?: string }[] };
  };
  assert.equal(dashboard.uid, 'smsproc-overview');
  assert.ok(dashboard.schemaVersion >= 30);
  const exprs = [
    ...dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => target.expr)),
    ...dashboard.templating.list.map((variable) => variable.definition ?? ''),
  ];
  assert.ok(dashboard.panels.filter((panel) => panel.type !== 'row').every((panel) => (panel.targets ?? []).length > 0 && panel.gridPos !== undefined));
  const used = new Set(exprs.flatMap(metricNamesIn));
  for (const name of used) assert.ok(names.has(name), `the dashboard uses ${name}, which the node does not export`);
  for (const name of ['smsproc_bind_up', 'smsproc_queue_oldest_age_seconds', 'smsproc_receipts_total', 'smsproc_callback_duration_seconds_bucket', 'smsproc_fencing_events_total']) {
    assert.ok(used.has(name), `the dashboard shows ${name}`);
  }
});

test('docs/metrics.md describes every smsproc metric the node exports', async () => {
  const doc = read('docs', 'metrics.md');
  const handle = await openTestSqliteStore();
  try {
    const metrics = createMetrics({ config: { node: { id: 'n', site: 's' }, metrics: { perClientSeries: true, maxClientSeries: 5 } }, store: handle.store, defaultMetrics: false });
    for (const metric of await metrics.registry.getMetricsAsJSON()) assert.ok(doc.includes(`| \`${metric.name}\``), `docs/metrics.md lacks a row for ${metric.name}`);
  } finally {
    await handle.cleanup();
  }
});
