import { strict as assert } from 'node:assert';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { oracleQueries, scriptStatements, splitScript, type ScriptStatement } from '../../daemon/storage/oracle/sql-files.js';
import { projectRoot } from '../testdata.js';

/**
 * Oracle adapter only: the install scripts as SQL*Plus (and the test factory) sends them, compared
 * with a checked-in golden file, so that every change to the installed DDL is reviewed as a diff.
 * Regenerate with SMSPROC_UPDATE_GOLDEN=1 after an intended change. Also checks what a server would
 * otherwise be the first to notice: terminators, the queues and their settings, the named queries.
 */

const sqlDir = join(projectRoot(), 'sql', 'oracle');
const goldenPath = join(projectRoot(), 'test', 'storage', 'golden', 'oracle-install.sql');

function render(statements: readonly ScriptStatement[]): string {
  return statements.map((statement) => `-- ${statement.file} #${statement.index}\n${statement.sql}\n/\n`).join('\n');
}

const admin = scriptStatements('admin', sqlDir);
const schema = scriptStatements('schema', sqlDir);

test('Oracle DDL: the install scripts match the golden file', () => {
  const actual = render([...admin, ...schema]);
  if (process.env.SMSPROC_UPDATE_GOLDEN === '1') writeFileSync(goldenPath, actual);
  assert.equal(actual, readFileSync(goldenPath, 'utf8'));
});

test('Oracle DDL: PL/SQL blocks end with END; and plain SQL has no trailing semicolon', () => {
  for (const statement of [...admin, ...schema]) {
    const where = `${statement.file} #${statement.index}`;
    if (/^(DECLARE|BEGIN)\b/i.test(statement.sql)) assert.match(statement.sql, /\bEND;$/, where);
    else assert.doesNotMatch(statement.sql, /;$/, where);
  }
});

test('Oracle DDL: MT, DLR and MO queues each have their exception queue in their queue table, with retries and retention', () => {
  const text = schema.map((statement) => statement.sql).join('\n');
  for (const flow of ['MT', 'DLR', 'MO']) {
    assert.match(text, new RegExp(`queue_table\\s+=> 'SMSPROC_${flow}_QT',\\s+queue_payload_type => 'SMSPROC_${flow}_PAYLOAD'`), flow);
    assert.match(text, new RegExp(`queue_name\\s+=> 'SMSPROC_${flow}_Q',\\s+queue_table\\s+=> 'SMSPROC_${flow}_QT',\\s+max_retries\\s+=> \\d+,\\s+retry_delay\\s+=> \\d+,\\s+retention_time => \\d+`), flow);
    assert.match(text, new RegExp(`queue_name\\s+=> 'SMSPROC_${flow}_EQ',\\s+queue_table\\s+=> 'SMSPROC_${flow}_QT',\\s+queue_type\\s+=> dbms_aqadm.exception_queue`), flow);
    assert.match(text, new RegExp(`start_queue\\(queue_name => 'SMSPROC_${flow}_EQ', enqueue => TRUE`), flow);
  }
  // Priority first, then age, as the claim order of the port says.
  assert.equal(text.match(/sort_list\s+=> 'PRIORITY,ENQ_TIME'/g)?.length, 3);
  // Single consumer: Thin mode has no recipient lists.
  assert.equal(text.match(/multiple_consumers => FALSE/g)?.length, 3);
});

test('Oracle DDL: the grants give the app role every ledger table and queue, the monitor role only SELECT', () => {
  const grants = schema.filter((statement) => statement.file === 'schema/060_grants.sql').map((statement) => statement.sql).join('\n');
  const tables = [...schema.map((statement) => statement.sql).join('\n').matchAll(/CREATE TABLE (\w+)/g)].map((match) => match[1] ?? '');
  assert.ok(tables.length >= 13, `${tables.length} tables`);
  for (const table of tables) assert.ok(grants.includes(table), `no grant on ${table}`);
  assert.doesNotMatch(grants, /(INSERT|UPDATE|DELETE)[^']*'smsproc_monitor'/);
  assert.match(grants, /grant_queue_privilege\(privilege => 'ALL'/);
});

/** Oracle's reserved words (V$RESERVED_WORDS with RESERVED = 'Y'): not usable as column or bind names. */
const reserved = new Set(`ACCESS ADD ALL ALTER AND ANY AS ASC AUDIT BETWEEN BY CHAR CHECK CLUSTER COLUMN COMMENT COMPRESS CONNECT
  CREATE CURRENT DATE DECIMAL DEFAULT DELETE DESC DISTINCT DROP ELSE EXCLUSIVE EXISTS FILE FLOAT FOR FROM GRANT GROUP HAVING
  IDENTIFIED IMMEDIATE IN INCREMENT INDEX INITIAL INSERT INTEGER INTERSECT INTO IS LEVEL LIKE LOCK LONG MAXEXTENTS MINUS
  MLSLABEL MODE MODIFY NOAUDIT NOCOMPRESS NOT NOWAIT NULL NUMBER OF OFFLINE ON ONLINE OPTION OR ORDER PCTFREE PRIOR PUBLIC
  RAW RENAME RESOURCE REVOKE ROW ROWID ROWNUM ROWS SELECT SESSION SET SHARE SIZE SMALLINT START SUCCESSFUL SYNONYM SYSDATE
  TABLE THEN TO TRIGGER UID UNION UNIQUE UPDATE USER VALIDATE VALUES VARCHAR VARCHAR2 VIEW WHENEVER WHERE WITH`.split(/\s+/));

test('Oracle DDL: no column and no bind is named with a reserved word', () => {
  const columns = [...schema.map((statement) => statement.sql).join('\n').matchAll(/^\s+(\w+)\s+(?:VARCHAR2|NUMBER|CLOB|TIMESTAMP)\b/gm)]
    .map((match) => (match[1] ?? '').toUpperCase());
  assert.ok(columns.length > 100, `${columns.length} columns`);
  for (const column of columns) assert.ok(!reserved.has(column), `column ${column}`);
  for (const file of readdirSync(join(sqlDir, 'queries'))) {
    const code = readFileSync(join(sqlDir, 'queries', file), 'utf8').replace(/--[^\n]*/g, '');
    for (const match of code.matchAll(/(?<![:\w]):([A-Za-z_]\w*)/g)) assert.ok(!reserved.has((match[1] ?? '').toUpperCase()), `${file}: bind :${match[1]}`);
  }
});

test('Oracle DDL: a script with text after its last terminator is refused', () => {
  assert.throws(() => splitScript('x.sql', 'CREATE TABLE a (b NUMBER)\n/\nCREATE TABLE c (d NUMBER)\n'), /after the last/);
  assert.deepEqual(splitScript('y.sql', '-- head\n\nSELECT 1 FROM dual\n/\n').map((statement) => statement.sql), ['SELECT 1 FROM dual']);
});

test('Oracle queries: every named statement loads, has no trailing semicolon and binds by name only', () => {
  const files = readdirSync(join(sqlDir, 'queries')).filter((name) => name.endsWith('.sql'));
  assert.ok(files.length >= 4);
  for (const file of files) {
    const area = file.replace(/\.sql$/, '');
    const text = readFileSync(join(sqlDir, 'queries', file), 'utf8');
    const names = [...text.matchAll(/^-- name: (\w+)/gm)].map((match) => match[1] ?? '');
    const lookup = oracleQueries(area, sqlDir);
    for (const name of names) {
      const statement = lookup(name);
      assert.equal(statement.name, `${area}.${name}`);
      assert.doesNotMatch(statement.sql, /;\s*$/, statement.name);
      assert.doesNotMatch(statement.sql, /\?/, `${statement.name}: positional bind`);
    }
  }
});
