import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { configSchema } from '../../daemon/config/schema.js';
import { Errors, SmsprocError } from '../../daemon/domain/errors.js';
import type { ClientId, MessageId } from '../../daemon/domain/ids.js';
import { openStore } from '../../daemon/storage/open.js';
import { knownMigrations, migrate, SchemaTooNewError } from '../../daemon/storage/sqlite/migrate.js';
import { loadQueries } from '../../daemon/storage/sqlite/sql-files.js';
import { defineStoreConformance } from './conformance.js';
import { clientPut, receipt, request, route, submission } from './fixtures.js';
import { openTestSqliteStore } from './sqlite-factory.js';

defineStoreConformance('sqlite', openTestSqliteStore);

const acme = 'acme' as ClientId;

async function provisioned(options: Parameters<typeof openTestSqliteStore>[0] = {}): Promise<Awaited<ReturnType<typeof openTestSqliteStore>>> {
  const handle = await openTestSqliteStore(options);
  await handle.store.applyProvisioning([{ op: 'route.put', route: route('mts-1') }, { op: 'client.put', client: clientPut('acme') }]);
  return handle;
}

test('SQLite only: 1000 concurrent enqueueMt calls share a handful of commits', async () => {
  const handle = await provisioned();
  try {
    const before = handle.store.commitStats();
    const calls = Array.from({ length: 1000 }, () => handle.store.enqueueMt([request('acme', [submission('acme', 'mts-1')])]));
    const outcomes = (await Promise.all(calls)).flat();
    assert.ok(outcomes.every((outcome) => outcome.kind === 'accepted'));
    const after = handle.store.commitStats();
    assert.equal(after.jobs - before.jobs, 1000);
    assert.ok(after.commits - before.commits <= 5, `${after.commits - before.commits} commits for 1000 requests`);
    assert.equal((await handle.store.clientBalance(acme)).queued, 1000);
  } finally {
    await handle.cleanup();
  }
});

test('SQLite only: groupCommitMaxBatch bounds the requests of one commit', async () => {
  const handle = await provisioned({ groupCommitMaxBatch: 100 });
  try {
    const before = handle.store.commitStats().commits;
    await Promise.all(Array.from({ length: 1000 }, () => handle.store.enqueueMt([request('acme', [submission('acme', 'mts-1')])])));
    assert.equal(handle.store.commitStats().commits - before, 10);
  } finally {
    await handle.cleanup();
  }
});

test('SQLite only: a request that fails inside a group is undone alone; the others of the group commit', async () => {
  const handle = await provisioned();
  try {
    const existing = submission('acme', 'mts-1');
    await handle.store.enqueueMt([request('acme', [existing])]);
    const good = [submission('acme', 'mts-1'), submission('acme', 'mts-1')];
    const bad = [submission('acme', 'mts-1'), submission('acme', 'mts-1', { id: existing.id })];
    const before = handle.store.commitStats().commits;
    const results = await Promise.allSettled([
      handle.store.enqueueMt([request('acme', [good[0]!])]),
      handle.store.enqueueMt([request('acme', bad)]),
      handle.store.enqueueMt([request('acme', [good[1]!])]),
    ]);
    assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
    assert.equal(handle.store.commitStats().commits - before, 1, 'one shared commit');
    assert.equal(await handle.store.findMessage(acme, { id: bad[0]!.id }), null);
    assert.equal((await handle.store.findMessage(acme, { id: good[1]!.id }))?.status, 'accepted');
  } finally {
    await handle.cleanup();
  }
});

test('SQLite only: when the group transaction fails every request rejects with STORE_UNAVAILABLE and none is stored', async () => {
  const handle = await provisioned({ busyTimeoutMs: 20 });
  // Another connection (an operator's sqlite3 shell, say) holds the write lock: our BEGIN IMMEDIATE times out.
  const intruder = new Database(handle.database);
  try {
    intruder.exec('BEGIN IMMEDIATE');
    const messages = Array.from({ length: 20 }, () => submission('acme', 'mts-1'));
    const results = await Promise.allSettled(messages.map((message) => handle.store.enqueueMt([request('acme', [message])])));
    for (const result of results) {
      assert.equal(result.status, 'rejected');
      const error: unknown = result.reason;
      assert.ok(error instanceof SmsprocError);
      assert.equal(error.definition, Errors.STORE_UNAVAILABLE);
      assert.equal(error.retryAfterS, 1);
    }
    assert.equal(handle.store.commitStats().failedCommits, 1);
    intruder.exec('ROLLBACK');
    for (const message of messages) assert.equal(await handle.store.findMessage(acme, { id: message.id }), null);
    assert.equal((await handle.store.clientBalance(acme)).segmentsUsed, 0);
    const [after] = await handle.store.enqueueMt([request('acme', [submission('acme', 'mts-1')])]);
    assert.equal(after?.kind, 'accepted', 'the store works again once the lock is gone');
  } finally {
    intruder.close();
    await handle.cleanup();
  }
});

test('SQLite only: close commits what is pending; afterwards writes reject with STORE_UNAVAILABLE', async () => {
  const handle = await provisioned();
  const message = submission('acme', 'mts-1');
  const pending = handle.store.enqueueMt([request('acme', [message])]);
  await handle.store.close();
  await handle.store.close();
  assert.deepEqual(await pending, [{ kind: 'accepted', ids: [message.id] }]);
  await assert.rejects(handle.store.enqueueMt([request('acme', [submission('acme', 'mts-1')])]), (error: unknown) => {
    assert.ok(error instanceof SmsprocError);
    assert.equal(error.definition, Errors.STORE_UNAVAILABLE);
    return true;
  });
  const reopened = await openTestSqliteStore({ reopen: handle.database });
  try {
    assert.equal((await reopened.store.findMessage(acme, { id: message.id }))?.status, 'accepted');
  } finally {
    await reopened.cleanup();
    await handle.cleanup();
  }
});

test('SQLite only: every id printed after its enqueue resolved survives kill -9', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'smsproc-kill-'));
  const path = join(dir, 'smsproc.db');
  const child = spawn(process.execPath, [fileURLToPath(new URL('./durability-child.js', import.meta.url)), path, '1000'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const printed: string[] = [];
  let buffered = '';
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${printed.length} ids printed in 20 s`)), 20_000);
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (chunk: string) => {
        buffered += chunk;
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        printed.push(...lines);
        if (printed.length >= 500 && child.exitCode === null && !child.killed) {
          child.kill('SIGKILL');
          clearTimeout(timer);
          resolve();
        }
      });
      child.on('exit', (code) => {
        clearTimeout(timer);
        if (printed.length < 500) reject(new Error(`child exited (${code}) after ${printed.length} ids`));
      });
    });
    await new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));
    assert.equal(child.signalCode, 'SIGKILL', 'killed while still enqueueing');
    const handle = await openTestSqliteStore({ reopen: path });
    try {
      const missing: string[] = [];
      for (const id of printed) {
        if ((await handle.store.findMessage(acme, { id: id as MessageId })) === null) missing.push(id);
      }
      assert.deepEqual(missing, [], `${missing.length} of ${printed.length} acknowledged ids were lost`);
    } finally {
      await handle.cleanup();
    }
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});

test('SQLite only: migrations are found from the built module and numbered from 001', () => {
  const migrations = knownMigrations();
  assert.ok(migrations.length >= 2);
  assert.deepEqual(migrations.map((m) => m.version), migrations.map((_, index) => index + 1));
  assert.equal(migrations[0]?.name, 'initial');
  for (const migration of migrations) {
    assert.match(migration.sql, new RegExp(`^-- ${String(migration.version).padStart(3, '0')}_${migration.name}: `), 'headed by its purpose');
  }
});

test('SQLite only: named statements are read from sql/sqlite/queries, and an unknown name is an error', () => {
  const sql = loadQueries('mt_queue');
  assert.match(sql('readyRows'), /^-- Claim candidates: READY rows[\s\S]*ORDER BY q\.priority, q\.seq LIMIT \?;$/);
  assert.throws(() => sql('noSuchStatement'), /no statement named "noSuchStatement"/);
  assert.throws(() => loadQueries('no_such_area'), /ENOENT/);
});

test('SQLite only: the receipt, outbox and MO hot-path statements search indexes, never scan a table', () => {
  const db = new Database(':memory:');
  try {
    migrate(db, 0);
    const hot: Record<string, readonly string[]> = {
      receipts: ['findSegment', 'segmentState', 'segmentStatuses', 'heldFor', 'expiredHeld', 'dropHeldKeys', 'settleQueueRow'],
      outbox: ['dueClients', 'dueOfClient', 'lapsedLeases', 'liveLeases', 'leaseOf', 'purgeDelivered', 'deadOf', 'replayClient', 'deadUnclaimedSmpp', 'waitingSmpp'],
      mo: ['findDedup', 'purge'],
      dlr_events: ['context'],
      mt_sweep: ['expiringNotified'],
      mt_admin: ['keysById', 'keysByClient', 'keysByRecipient', 'keysByRef', 'target'],
      web_sessions: ['live', 'extend', 'setLang', 'delete', 'endClient', 'endClientOnNewPassword', 'purge'],
    };
    for (const [area, names] of Object.entries(hot)) {
      const sql = loadQueries(area);
      for (const name of names) {
        const text = sql(name);
        const named = Object.fromEntries([...text.matchAll(/@(\w+)/g)].map((match) => [match[1] ?? '', 1]));
        const args = Object.keys(named).length > 0 ? [named] : Array.from({ length: (text.match(/\?/g) ?? []).length }, () => 1);
        const plan = db.prepare(`EXPLAIN QUERY PLAN ${text}`).all(...args) as { detail: string }[];
        // `r` and `clients` are the queries' own CTEs (a handful of rows), not tables.
        const scans = plan.map((row) => row.detail).filter((detail) => /^SCAN [a-z_]+$/.test(detail) && !['SCAN r', 'SCAN clients'].includes(detail));
        assert.deepEqual(scans, [], `${area}.${name}`);
      }
    }
    // A scoped claim reads one client's events of one channel in seq order from the index, unsorted.
    const dueOfClient = db.prepare(`EXPLAIN QUERY PLAN ${loadQueries('outbox')('dueOfClient')}`).all('acme', 1, 0, 10) as { detail: string }[];
    assert.deepEqual(dueOfClient.map((row) => row.detail), ['SEARCH callback_outbox USING INDEX callback_outbox_due_channel (client_id=? AND <expr>=?)']);
  } finally {
    db.close();
  }
});

test('SQLite only: migrate applies only the missing migrations, once each', () => {
  const db = new Database(':memory:');
  try {
    const all = knownMigrations();
    assert.deepEqual(migrate(db, 1, all.slice(0, 1)), [1], 'an older release');
    assert.deepEqual(migrate(db, 2, all), all.slice(1).map((m) => m.version), 'the upgrade applies the rest');
    assert.deepEqual(migrate(db, 3, all), []);
    assert.throws(() => migrate(db, 4, all.slice(0, 1)), SchemaTooNewError, 'an older release refuses the upgraded database');
  } finally {
    db.close();
  }
});

test('SQLite only: migration 003 keeps segments acked before it matchable by their SMSC id', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'smsproc-upgrade-'));
  try {
    const path = join(dir, 'smsproc.db');
    const db = new Database(path);
    migrate(db, 1, knownMigrations().slice(0, 2));
    const { lastInsertRowid: seq } = db.prepare(`INSERT INTO messages (id, client_id, route_id, sender, recipient, text, encoding,
      segments, priority, expires_at, dlr_requested, source, status, accepted_at)
      VALUES ('old-1', 'acme', 'mts-1', 'ACME', '79161234567', 'hi', 'gsm7', 1, 1, 0, 0, 'http', 'submitted', 0)`).run();
    db.prepare(`INSERT INTO smsc_ids (message_seq, segment_index, route_id, smsc_id) VALUES (?, 0, 'mts-1', 'beef')`).run(seq);
    db.close();
    const handle = await openTestSqliteStore({ reopen: path });
    try {
      const outcome = await handle.store.applyReceipt(receipt(['beef'], 'delivered'));
      assert.equal(outcome.kind, 'matched');
      assert.equal((await handle.store.findMessage(acme, { id: 'old-1' as MessageId }))?.status, 'delivered');
    } finally {
      await handle.cleanup();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('SQLite only: openStore creates the parent folder, applies the schema in WAL mode and refuses a newer schema', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'smsproc-open-'));
  try {
    const path = join(dir, 'nested', 'deeper', 'smsproc.db');
    const config = configSchema.parse({ store: { sqlitePath: path } });
    const store = await openStore(config);
    assert.equal(await store.provisioningVersion(), 0);
    await store.close();
    const db = new Database(path);
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    const versions = db.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all();
    assert.deepEqual(versions, knownMigrations().map((m) => m.version));
    assert.deepEqual(db.prepare('SELECT * FROM dba_mt_queue_depth').all(), [], 'the DBA views exist and read an empty queue');
    db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(999, 'from_the_future', Date.now());
    db.close();
    await assert.rejects(openStore(config), SchemaTooNewError);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
