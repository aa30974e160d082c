import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Errors } from '../../daemon/domain/errors.js';
import { projectRoot } from '../testdata.js';

/** docs/errors.md rows: `| code | name | HTTP | SMPP | meaning |`. */
function documentedRows(): Map<number, { name: string; http: number; smpp: string }> {
  const text = readFileSync(join(projectRoot(), 'docs', 'errors.md'), 'utf8');
  const rows = new Map<number, { name: string; http: number; smpp: string }>();
  for (const line of text.split('\n')) {
    const match = /^\|\s*(\d{4})\s*\|\s*([A-Z_]+)\s*\|\s*(\d{3})\s*\|\s*([^|]+?)\s*\|/.exec(line);
    if (match === null) continue;
    assert.ok(!rows.has(Number(match[1])), `code ${match[1]} documented twice`);
    rows.set(Number(match[1]), { name: match[2]!, http: Number(match[3]), smpp: match[4]! });
  }
  return rows;
}

test('every registry entry is in docs/errors.md with the same number, name, HTTP and SMPP status', () => {
  const rows = documentedRows();
  for (const definition of Object.values(Errors)) {
    const row = rows.get(definition.code);
    assert.ok(row !== undefined, `${definition.code} ${definition.name} missing from docs/errors.md`);
    assert.equal(row.name, definition.name, `name of ${definition.code}`);
    assert.equal(row.http, definition.httpStatus, `HTTP status of ${definition.name}`);
    const smpp = definition.smppStatus === null ? '—' : `0x${definition.smppStatus.toString(16).padStart(2, '0')}`;
    assert.equal(row.smpp, smpp, `SMPP status of ${definition.name}`);
  }
  assert.equal(rows.size, Object.keys(Errors).length, 'docs/errors.md lists codes the registry does not have');
});

test('registry codes and names are unique, and each key is its name', () => {
  const codes = new Set<number>();
  for (const [key, definition] of Object.entries(Errors)) {
    assert.equal(key, definition.name);
    assert.ok(!codes.has(definition.code), `code ${definition.code} used twice`);
    codes.add(definition.code);
    assert.ok(definition.httpStatus >= 400 && definition.httpStatus <= 599);
  }
});
