import { Command } from 'commander';
import type { Store } from '../../../daemon/storage/port.js';
import { hasQueueHealth, type QueueHealth } from '../../../daemon/storage/postgres/dba-views.js';
import { invalid } from '../cli-error.js';
import { globalsOf, withStore } from '../context.js';
import { renderTable, writeJson, writeNote, writeOut } from '../output.js';

/**
 * The DBA view of the MT queue: depth and oldest message per route and state, then (text only) the
 * SMPP-channel callback events waiting for a receiving bind of their client. With --health (only
 * on PostgreSQL, whose DBA views it prints): every queue's depth, routes' backlog and owners, binds'
 * lag, rates per minute, dead tuples and vacuums of our tables, and the oldest open transactions.
 */
export function queuesCommand(): Command {
  return new Command('queues')
    .description('messages not yet final per route and queue state, with the oldest one\'s age')
    .option('--health', 'PostgreSQL: print the DBA views (queues, routes, binds, rates per minute, table health, open transactions)')
    .action(async (options: { health?: boolean }, command: Command) => {
      await withStore(command, async (store) => {
        if (options.health === true) await printHealth(command, store);
        else await printDepth(command, store);
      });
    });
}

async function printDepth(command: Command, store: Store): Promise<void> {
  const now = Date.now();
  const rows = [...(await store.queueDepth())].sort((a, b) => a.routeId.localeCompare(b.routeId) || a.state.localeCompare(b.state));
  const view = rows.map((row) => ({ ...row, oldestAgeS: Math.max(0, Math.round((now - row.oldestAcceptedAt.getTime()) / 1000)) }));
  if (globalsOf(command).json === true) {
    writeJson(view);
    return;
  }
  if (view.length === 0) writeNote('every queue is empty');
  else writeOut(renderTable(['route', 'state', 'messages', 'oldest accepted', 'age s'], view.map((row) => [row.routeId, row.state, row.messages, row.oldestAcceptedAt.toISOString(), row.oldestAgeS])));
  // Receipts and MO for SMPP binds that no node claims: their client has no receiving bind anywhere.
  const waiting = [...(await store.waitingSmppCallbacks())].sort(([a], [b]) => a.localeCompare(b));
  if (waiting.length > 0) {
    writeOut(`SMPP CALLBACKS WAITING FOR A RECEIVING BIND\n${renderTable(['client', 'events', 'oldest due', 'age s'], waiting.map(([clientId, row]) => [
      clientId, row.events, row.oldestDueAt.toISOString(), Math.max(0, Math.round((now - row.oldestDueAt.getTime()) / 1000)),
    ]))}`);
  }
}

async function printHealth(command: Command, store: Store): Promise<void> {
  if (!hasQueueHealth(store)) throw invalid('queues --health needs the PostgreSQL store (store.kind: postgres): the SQLite store has no DBA views of this kind');
  const health = await store.queueHealth();
  if (globalsOf(command).json === true) {
    writeJson(health);
    return;
  }
  writeOut(renderHealth(health));
}

function renderHealth(health: QueueHealth): string {
  const section = (title: string, table: string): string => `${title}\n${table}`;
  return [
    section('QUEUES (dba_queue_depth)', renderTable(['queue', 'state', 'messages', 'oldest', 'age s'],
      health.depth.map((row) => [row.queue, row.state, row.messages, row.oldestAt?.toISOString(), row.oldestAgeS]))),
    section('ROUTES (dba_route_backlog)', renderTable(['route', 'ready', 'waiting', 'in flight', 'in doubt', 'oldest ready s', 'owners', 'fenced', 'bind epochs'],
      health.routes.map((row) => [row.routeId, row.ready, row.waiting, row.inFlight, row.inDoubt, row.oldestReadyAgeS, row.owners, row.fencedInFlight, row.bindEpochs]))),
    section('BINDS (dba_consumer_lag)', renderTable(['bind', 'epoch', 'owner', 'in flight', 'lease left s', 'in doubt', 'route ready', 'lag s'],
      health.consumers.map((row) => [row.bindId, row.epoch, row.owner, row.inFlight, row.leaseLeftS, row.inDoubt, row.routeReady, row.lagS]))),
    section('RATES PER MINUTE (dba_queue_rates)', renderTable(['minute', 'enqueued', 'submitted', 'expired', 'exception', 'callbacks', 'mo'],
      health.rates.map((row) => [row.minute.toISOString().slice(0, 16), row.mtEnqueued, row.mtSubmitted, row.mtExpired, row.mtException, row.callbacksDelivered, row.moRecorded]))),
    section('TABLES (dba_table_health)', renderTable(['table', 'partition of', 'live', 'dead', 'dead ratio', 'last vacuum', 'last autovacuum'],
      health.tables.map((row) => [row.table, row.partitionOf, row.liveTuples, row.deadTuples, row.deadRatio, row.lastVacuum?.toISOString(), row.lastAutovacuum?.toISOString()]))),
    section('OPEN TRANSACTIONS (dba_oldest_transactions)', renderTable(['pid', 'user', 'application', 'state', 'age s', 'xmin age'],
      health.transactions.map((row) => [row.pid, row.user, row.application, row.state, row.ageS, row.xminAge]))),
  ].join('\n');
}
