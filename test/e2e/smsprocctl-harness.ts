import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built CLI, run as an operator runs it: a child process on a real SQLite file in a temp dir. */
const mainPath = fileURLToPath(new URL('../../ops/smsprocctl/main.js', import.meta.url));

export interface CtlResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CtlHarness {
  readonly dir: string;
  run(args: readonly string[], input?: string): CtlResult;
  /** Runs a command that must succeed and parses its --json output. */
  json<T>(args: readonly string[], input?: string): T;
  writeFile(name: string, text: string): string;
  cleanup(): void;
}

export function ctlHarness(): CtlHarness {
  const dir = mkdtempSync(join(tmpdir(), 'smsprocctl-'));
  const env = { ...process.env, SMSPROC_STORE_SQLITE_PATH: join(dir, 'smsproc.db'), SMSPROC_LOG_LEVEL: 'silent' };
  const run = (args: readonly string[], input?: string): CtlResult => {
    const result = spawnSync(process.execPath, [mainPath, ...args], { env, input: input ?? '', encoding: 'utf8', timeout: 30_000 });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  };
  return {
    dir,
    run,
    json<T>(args: readonly string[], input?: string): T {
      const result = run([...args, '--json'], input);
      if (result.code !== 0) throw new Error(`smsprocctl ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
      return JSON.parse(result.stdout) as T;
    },
    writeFile(name: string, text: string): string {
      const path = join(dir, name);
      writeFileSync(path, text);
      return path;
    },
    cleanup(): void {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
