/**
 * What the CLI prints: aligned tables and key/value blocks for people, JSON for machines (--json).
 * Results go to stdout; errors and notes to stderr, so `--json` output stays parseable.
 */
export type Cell = string | number | boolean | null | undefined;

function cellText(value: Cell): string {
  if (value === null || value === undefined || value === '') return '-';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  return String(value);
}

export function renderTable(headers: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const texts = rows.map((row) => row.map(cellText));
  const widths = headers.map((header, column) => Math.max(header.length, ...texts.map((row) => row[column]?.length ?? 0)));
  const line = (cells: readonly string[]): string => cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd();
  return [line(headers.map((header) => header.toUpperCase())), ...texts.map(line)].join('\n') + '\n';
}

export function renderFields(fields: readonly (readonly [string, Cell | readonly string[]])[]): string {
  const width = Math.max(...fields.map(([name]) => name.length));
  return fields
    .map(([name, value]) => `${(name + ':').padEnd(width + 2)}${Array.isArray(value) ? (value.length === 0 ? '-' : value.join(', ')) : cellText(value as Cell)}`)
    .join('\n') + '\n';
}

export function writeOut(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

export function writeJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function writeNote(text: string): void {
  process.stderr.write(`${text}\n`);
}
