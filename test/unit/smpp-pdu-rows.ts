import { readTsv } from '../testdata.js';
import type { TsvRow } from '../testdata.js';

/** One smpp-pdus.tsv row with its `decoded:` description split into the values tests compare. */
export interface PduRow {
  readonly row: TsvRow;
  readonly name: string;
  readonly bytes: Buffer;
  readonly command: string;
  readonly decoded: string;
  readonly malformed: boolean;
}

export function pduRows(): PduRow[] {
  return readTsv('smpp-pdus.tsv').map((row) => {
    const description = row.fields.description ?? '';
    const decoded = description.split('|| decoded:')[1]?.trim() ?? '';
    return {
      row,
      name: `line ${row.line} ${row.fields.command}: ${description.split('||')[0]!.trim()}`,
      bytes: Buffer.from(row.fields.hex ?? '', 'hex'),
      command: row.fields.command ?? '',
      decoded,
      malformed: description.startsWith('MALFORMED'),
    };
  });
}

/** A quoted field of the description, e.g. `system_id="x"`; the name must not be the tail of a longer name. */
export function quoted(decoded: string, field: string): string | undefined {
  const match = new RegExp(`(?<![a-z_])${field}="((?:[^"\\\\]|\\\\.)*)"`).exec(decoded);
  return match?.[1];
}

/** A numeric field such as `seq=13`, `esm_class=0x4d` or `message_state=2(DELIVERED)`. */
export function numeric(decoded: string, field: string): number | undefined {
  const match = new RegExp(`(?<![a-z_])${field}=(0x[0-9a-f]+|\\d+)`).exec(decoded);
  return match === null ? undefined : Number(match[1]);
}

/** `src=1/1/"40404"` as ton, npi and address. */
export function address(decoded: string, field: 'src' | 'dst'): { ton: number; npi: number; address: string } | undefined {
  const match = new RegExp(`${field}=(\\d+)/(\\d+)/"([^"]*)"`).exec(decoded);
  return match === null ? undefined : { ton: Number(match[1]), npi: Number(match[2]), address: match[3]! };
}

/** The `TLVs:` list as [name, raw value text] pairs in order. */
export function tlvList(decoded: string): [string, string][] {
  const section = decoded.split(' TLVs: ')[1];
  if (section === undefined) return [];
  const out: [string, string][] = [];
  for (const m of section.matchAll(/(\w+)=("(?:[^"\\]|\\.)*"|[0-9a-fx]+(?:\([A-Z]+\))?)/g)) out.push([m[1]!, m[2]!]);
  return out;
}
