import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The daemon as systemd runs it, a fake systemd notify socket, and a Prometheus text reader, for the ops tests. */

const mainScript = fileURLToPath(new URL('../../daemon/main.js', import.meta.url));

/** A log line of smsprocd (the primary or a worker: `pid` says which), with when it was read. */
export interface LogEntry {
  readonly msg?: string;
  readonly pid?: number;
  readonly routeId?: string;
  readonly bind?: number | string;
  readonly worker?: number;
  readonly readAt: number;
}

export interface SpawnedSmsprocd {
  readonly child: ChildProcess;
  /** host:port of the client API and of the ops server. */
  readonly api: string;
  readonly ops: string;
  /** Every log line, read until the daemon exits (a full pipe would stall its logging). */
  readonly log: LogEntry[];
  /** Pids of the workers that said they serve, in order (a restarted worker adds one). */
  readonly workers: number[];
}

/** smsprocd on `configFile` as a child process; resolves once it logged "smsprocd ready". */
export async function spawnSmsprocd(configFile: string, env: NodeJS.ProcessEnv = {}): Promise<SpawnedSmsprocd> {
  const child = spawn(process.execPath, [mainScript, '--config', configFile], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } });
  const log: LogEntry[] = [];
  const workers: number[] = [];
  child.stdout?.setEncoding('utf8');
  let buffer = '';
  const ready = await new Promise<{ api: string; ops: string }>((resolve, reject) => {
    child.stdout?.on('data', (chunk: string) => {
      buffer += chunk;
      for (let end = buffer.indexOf('\n'); end >= 0; end = buffer.indexOf('\n')) {
        const entry = JSON.parse(buffer.slice(0, end)) as LogEntry & { api?: string; ops?: string };
        buffer = buffer.slice(end + 1);
        log.push({ ...entry, readAt: performance.now() });
        if (entry.msg === 'worker serving' && entry.worker !== undefined) workers.push(entry.worker);
        if (entry.msg === 'smsprocd ready' && entry.api !== undefined && entry.ops !== undefined) resolve({ api: entry.api, ops: entry.ops });
      }
    });
    child.once('exit', (code) => reject(new Error(`smsprocd exited with ${code} before it was ready`)));
  });
  return { child, ...ready, log, workers };
}

export interface Daemon {
  readonly child: ChildProcess;
  readonly apiUrl: string;
  readonly opsUrl: string;
  stop(): Promise<number | null>;
}

/** smsprocd with API and ops ports 0; resolves once it logged "smsprocd ready". */
export async function startDaemon(dbPath: string, env: NodeJS.ProcessEnv = {}): Promise<Daemon> {
  const configFile = `${dbPath}.yaml`;
  writeFileSync(configFile, [
    'node: { id: ops-e2e }',
    `store: { sqlitePath: ${JSON.stringify(dbPath)} }`,
    'api: { port: 0 }',
    'ops: { port: 0 }',
    "msisdn: { defaultCountryCode: '7', nationalPrefix: '8', nationalNumberLength: 10 }",
    'log: { level: info }',
    '',
  ].join('\n'));
  const { child, api, ops } = await spawnSmsprocd(configFile, env);
  return {
    child,
    apiUrl: `http://${api}`,
    opsUrl: `http://${ops}`,
    async stop(): Promise<number | null> {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const [code] = (await once(child, 'exit')) as [number | null];
      return code;
    },
  };
}

export interface NotifyListener {
  readonly path: string;
  /** Every datagram received so far, its lines joined by "|". */
  readonly messages: string[];
  close(): Promise<void>;
}

/**
 * A unix datagram socket like systemd's notify socket. Node has no unix datagram sockets, so a
 * small python3 program binds it and prints each datagram as one line.
 */
export async function listenNotifySocket(path: string): Promise<NotifyListener> {
  const program = [
    'import socket, sys',
    's = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)',
    's.bind(sys.argv[1])',
    'print("listening", flush=True)',
    'while True:',
    '    print(s.recv(65536).decode().replace("\\n", "|"), flush=True)',
  ].join('\n');
  const child = spawn('python3', ['-c', program, path], { stdio: ['ignore', 'pipe', 'inherit'] });
  const messages: string[] = [];
  child.stdout.setEncoding('utf8');
  let buffer = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: string) => {
      buffer += chunk;
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        if (line === 'listening') resolve();
        else messages.push(line);
      }
    });
    child.once('exit', (code) => reject(new Error(`notify listener exited with ${code}`)));
  });
  return {
    path,
    messages,
    async close(): Promise<void> {
      child.kill('SIGKILL');
      if (child.exitCode === null && child.signalCode === null) await once(child, 'exit');
    },
  };
}

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** The samples of a Prometheus text exposition (no escapes in our label values). */
export function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (match === null) throw new Error(`not an exposition line: ${line}`);
    const labels = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1] ?? '', m[2] ?? '']));
    samples.push({ name: match[1] ?? '', labels, value: Number(match[3]) });
  }
  return samples;
}

/** The sum of the samples with that name whose labels include `labels`. */
export function total(samples: readonly Sample[], name: string, labels: Readonly<Record<string, string>> = {}): number {
  return samples
    .filter((sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value))
    .reduce((sum, sample) => sum + sample.value, 0);
}

export async function scrape(opsUrl: string): Promise<Sample[]> {
  const response = await fetch(`${opsUrl}/metrics`);
  if (response.status !== 200) throw new Error(`/metrics answered ${response.status}`);
  return parseExposition(await response.text());
}
