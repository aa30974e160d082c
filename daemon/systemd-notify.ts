/**
 * Tells systemd about the node (Type=notify, docs/deploy-systemd.md): READY=1 once it serves,
 * WATCHDOG=1 every half WatchdogSec while it is healthy, STOPPING=1 when it drains. Node cannot send
 * a unix datagram itself, so each notification runs `systemd-notify` (the unit sets NotifyAccess=all
 * so that systemd accepts it from a child). Without NOTIFY_SOCKET (not under systemd, or
 * Type=simple) every call does nothing.
 */
import { execFile } from 'node:child_process';
import type { Logger } from './log.js';

export interface SystemdNotifier {
  /** READY=1 (with MAINPID and a status line); starts the watchdog pings if systemd asked for them. */
  ready(status: string): Promise<void>;
  stopping(): Promise<void>;
  /** Stops the watchdog pings. */
  close(): void;
}

export interface SystemdNotifierDeps {
  readonly env: NodeJS.ProcessEnv;
  readonly logger: Logger;
  /** The watchdog is pinged only while this says the node works (a wedged node is then restarted). */
  readonly healthy: () => boolean | Promise<boolean>;
  readonly pid?: number;
  /** The systemd-notify program; tests may point elsewhere. */
  readonly command?: string;
}

/** The watchdog period systemd asks for (WATCHDOG_USEC, for this process when WATCHDOG_PID is set), in ms; null without. */
export function watchdogIntervalMs(env: NodeJS.ProcessEnv, pid: number): number | null {
  const usec = Number(env.WATCHDOG_USEC);
  if (!Number.isFinite(usec) || usec <= 0) return null;
  if (env.WATCHDOG_PID !== undefined && env.WATCHDOG_PID !== '' && Number(env.WATCHDOG_PID) !== pid) return null;
  // Half the period, as sd_watchdog_enabled(3) advises: one late ping is not a restart.
  return Math.max(1, Math.floor(usec / 1000 / 2));
}

export function createSystemdNotifier(deps: SystemdNotifierDeps): SystemdNotifier {
  const socket = deps.env.NOTIFY_SOCKET;
  if (socket === undefined || socket === '') {
    return { ready: async () => undefined, stopping: async () => undefined, close: () => undefined };
  }
  const pid = deps.pid ?? process.pid;
  const command = deps.command ?? 'systemd-notify';
  const notify = (args: readonly string[]): Promise<void> =>
    new Promise((resolve) => {
      execFile(command, [...args], { env: { ...deps.env, NOTIFY_SOCKET: socket }, timeout: 5_000 }, (error, _stdout, stderr) => {
        if (error !== null) deps.logger.warn({ err: error, args, stderr: stderr.trim() }, 'systemd-notify failed');
        resolve();
      });
    });
  let watchdog: NodeJS.Timeout | null = null;
  let pinging = false;
  const ping = (): void => {
    if (pinging) return;
    pinging = true;
    Promise.resolve()
      .then(() => deps.healthy())
      .then((ok) => (ok ? notify(['WATCHDOG=1']) : deps.logger.warn('not healthy: watchdog ping skipped')))
      .catch((error: unknown) => deps.logger.warn({ err: error }, 'health check for the watchdog failed'))
      .finally(() => {
        pinging = false;
      });
  };
  return {
    async ready(status: string): Promise<void> {
      await notify(['--ready', `--pid=${pid}`, `--status=${status}`]);
      const intervalMs = watchdogIntervalMs(deps.env, pid);
      if (intervalMs !== null && watchdog === null) {
        watchdog = setInterval(ping, intervalMs);
        watchdog.unref();
      }
    },
    stopping: () => notify(['STOPPING=1']),
    close(): void {
      if (watchdog !== null) clearInterval(watchdog);
      watchdog = null;
    },
  };
}
