import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { finalStatuses, kannelDlrBitOf, MessageStatus, smppMessageStateOf } from '../../daemon/domain/status.js';
import { projectRoot } from '../testdata.js';

test('docs/statuses.md and daemon/domain/status.ts agree on every status', () => {
  const doc = readFileSync(join(projectRoot(), 'docs', 'statuses.md'), 'utf8');
  for (const status of Object.values(MessageStatus)) {
    const row = doc.split('\n').find((line) => line.startsWith(`| \`${status}\` |`));
    assert.ok(row, `docs/statuses.md has a row for ${status}`);
    const cells = row.split('|').map((cell) => cell.trim());
    assert.equal(cells[2], finalStatuses.has(status) ? 'yes' : 'no', `${status}: final`);
    const state = smppMessageStateOf[status];
    assert.equal(cells[4] === '—' ? null : Number(cells[4]?.split(' ')[0]), state, `${status}: message_state`);
    const bit = kannelDlrBitOf[status];
    assert.equal(cells[5] === '—' ? null : Number(cells[5]?.split(' ')[0]), bit, `${status}: dlr-mask bit`);
  }
});
