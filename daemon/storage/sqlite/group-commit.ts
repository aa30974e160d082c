import type Database from 'better-sqlite3';
import { Errors, SmsprocError } from '../../domain/errors.js';

/**
 * Group commit: write jobs that arrive within one turn of the event loop (flushed on setImmediate,
 * up to maxBatch units) run in ONE transaction, so one fsync serves them all. Each job runs in its
 * own savepoint: a job that throws (invalid provisioning, a constraint) is undone alone and rejects
 * alone. If the transaction itself fails (BEGIN busy, disk full, I/O error, COMMIT failing), nothing
 * of the group is stored and every job rejects with STORE_UNAVAILABLE. Promises settle only after
 * COMMIT returned, i.e. after the WAL was fsynced (synchronous=FULL).
 */
interface Job {
  readonly run: () => unknown;
  readonly units: number;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

/** Commits and jobs so far: requests per commit is the figure that shows group commit working. */
export interface CommitStats {
  readonly commits: number;
  readonly failedCommits: number;
  readonly jobs: number;
}

/** SQLite result codes that mean the database cannot take writes now, as opposed to a bad job. */
const unavailableCodes = /^SQLITE_(BUSY|LOCKED|FULL|IOERR|READONLY|CANTOPEN|CORRUPT|NOTADB|NOMEM|PROTOCOL)/;

export function isStorageFailure(error: unknown): boolean {
  const code = error instanceof Error ? (error as Error & { code?: unknown }).code : undefined;
  return typeof code === 'string' && unavailableCodes.test(code);
}

export function storeUnavailable(cause: unknown): SmsprocError {
  return new SmsprocError(Errors.STORE_UNAVAILABLE, { retryAfterS: 1 }, { retryAfterS: 1, cause });
}

interface Settled {
  readonly ok: boolean;
  readonly value: unknown;
}

export class GroupCommit {
  private pending: Job[] = [];
  private scheduled = false;
  private commits = 0;
  private failedCommits = 0;
  private jobs = 0;
  private readonly inTransaction: Database.Transaction<(group: readonly Job[]) => Settled[]>;
  private readonly inSavepoint: Database.Transaction<(run: () => unknown) => unknown>;

  constructor(private readonly db: Database.Database, private readonly maxBatch: number) {
    this.inSavepoint = db.transaction((run: () => unknown) => run());
    this.inTransaction = db.transaction((group: readonly Job[]) => group.map((job) => this.runOne(job)));
  }

  /** Runs `run` inside the next group's transaction; `units` counts toward maxBatch (enqueue requests). */
  submit<T>(run: () => T, units = 1): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ run, units, resolve: resolve as (value: unknown) => void, reject });
      this.schedule();
    });
  }

  /** Commits what is pending now, synchronously (used by close). */
  flushAll(): void {
    while (this.pending.length > 0) this.flushOne();
  }

  stats(): CommitStats {
    return { commits: this.commits, failedCommits: this.failedCommits, jobs: this.jobs };
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.flushOne();
      if (this.pending.length > 0) this.schedule();
    });
  }

  private flushOne(): void {
    let units = 0;
    let count = 0;
    while (count < this.pending.length && (count === 0 || units + (this.pending[count]?.units ?? 0) <= this.maxBatch)) {
      units += this.pending[count]?.units ?? 0;
      count += 1;
    }
    const group = this.pending.splice(0, count);
    if (group.length === 0) return;
    let settled: Settled[];
    try {
      settled = this.inTransaction.immediate(group);
    } catch (error) {
      this.failedCommits += 1;
      const failure = storeUnavailable(error);
      for (const job of group) job.reject(failure);
      return;
    }
    this.commits += 1;
    this.jobs += group.length;
    group.forEach((job, index) => {
      const result = settled[index];
      if (result?.ok) job.resolve(result.value);
      else job.reject(result?.value);
    });
  }

  private runOne(job: Job): Settled {
    try {
      return { ok: true, value: this.inSavepoint(job.run) };
    } catch (error) {
      // A failing disk or a transaction SQLite already rolled back takes the whole group down.
      if (isStorageFailure(error) || !this.db.inTransaction) throw error;
      return { ok: false, value: error };
    }
  }
}
