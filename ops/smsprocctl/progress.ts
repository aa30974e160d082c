/**
 * Progress of a long operation (a replay, an import, an export) on stderr, only when stderr is a
 * terminal: a script or a pipe gets its output clean. One line, redrawn at most every 100 ms, and
 * cleared at the end.
 */
export interface ProgressStream {
  readonly isTTY?: boolean;
  write(text: string): unknown;
}

export interface Progress {
  /** `done` of the total (or of an unknown total) so far. */
  update(done: number): void;
  finish(): void;
}

const REDRAW_MS = 100;

export function progress(label: string, total: number | null, stream: ProgressStream = process.stderr, clock: () => number = Date.now): Progress {
  if (stream.isTTY !== true) return { update: () => undefined, finish: () => undefined };
  let drawnAt = -Infinity;
  let shown = false;
  const draw = (done: number): void => {
    const share = total !== null && total > 0 ? ` (${Math.floor((done / total) * 100)}%)` : '';
    stream.write(`\r\x1b[K${label}: ${done}${total === null ? '' : `/${total}`}${share}`);
    shown = true;
  };
  return {
    update(done: number): void {
      const now = clock();
      if (now - drawnAt < REDRAW_MS && done !== total) return;
      drawnAt = now;
      draw(done);
    },
    finish(): void {
      if (shown) stream.write('\r\x1b[K');
    },
  };
}
