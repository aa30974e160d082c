import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project root: the nearest folder above this file that holds package.json. */
export function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('package.json not found above the test files');
    dir = parent;
  }
  return dir;
}

/** shared/testdata beside the project checkout (SMSPROC_TESTDATA overrides). */
export function testdataDir(): string {
  const dir = process.env.SMSPROC_TESTDATA ?? resolve(projectRoot(), '..', 'shared', 'testdata');
  if (!existsSync(dir)) throw new Error(`test data not found at ${dir}: put shared/ beside the checkout or set SMSPROC_TESTDATA`);
  return dir;
}

export interface TsvRow {
  /** The `# source: …` comment line above the row. */
  readonly source: string;
  /** 1-based line number in the file, for test names. */
  readonly line: number;
  readonly fields: Readonly<Record<string, string>>;
}

/** Reads one of the shared/testdata TSV files: comments skipped, the first other line is the header. */
export function readTsv(name: string): TsvRow[] {
  const lines = readFileSync(join(testdataDir(), name), 'utf8').split('\n');
  let header: string[] | null = null;
  let source = '';
  const rows: TsvRow[] = [];
  lines.forEach((text, index) => {
    if (text === '') return;
    if (text.startsWith('#')) {
      if (text.startsWith('# source:')) source = text.slice('# source:'.length).trim();
      return;
    }
    const cells = text.split('\t');
    if (header === null) {
      header = cells;
      return;
    }
    const fields: Record<string, string> = {};
    header.forEach((column, i) => {
      fields[column] = cells[i] ?? '';
    });
    rows.push({ source, line: index + 1, fields });
  });
  return rows;
}

/** Undoes the testdata escapes: `\\`, `\n`, `\r`, `\t`, `\f`, `\xNN`, `\uXXXX`. */
export function unescapeText(value: string): string {
  return value.replace(/\\(\\|n|r|t|f|x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4})/g, (_whole, code: string) => {
    switch (code[0]) {
      case '\\': return '\\';
      case 'n': return '\n';
      case 'r': return '\r';
      case 't': return '\t';
      case 'f': return '\f';
      default: return String.fromCharCode(parseInt(code.slice(1), 16));
    }
  });
}

/** Undoes the receipt escapes into octets: printable ASCII literal, `\\`, and `\xNN` for any other octet. */
export function unescapeOctets(value: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < value.length; i++) {
    const ch = value[i]!;
    if (ch === '\\' && value[i + 1] === '\\') {
      bytes.push(0x5c);
      i += 1;
    } else if (ch === '\\' && value[i + 1] === 'x') {
      bytes.push(parseInt(value.slice(i + 2, i + 4), 16));
      i += 3;
    } else {
      bytes.push(ch.charCodeAt(0));
    }
  }
  return Buffer.from(bytes);
}
