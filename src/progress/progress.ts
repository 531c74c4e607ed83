// Progress is an object passed in: library code reports to it, the CLI decides how (or whether) it is drawn.
import { createRequire } from 'node:module';
import type CliProgress from 'cli-progress';

export interface Progress {
  /** Starts a phase of `total` steps (files, bytes, rows), named for a person: "staging files". */
  start(label: string, total: number): void;
  /** Advances the current phase by `steps`. */
  advance(steps?: number): void;
  /** Ends the current phase. */
  stop(): void;
}

/** The default in library code: reports nothing. */
export const silentProgress: Progress = { start() {}, advance() {}, stop() {} };

/** A bar redrawn in place, for a terminal. */
export function terminalProgress(stream: NodeJS.WriteStream): Progress {
  // Loaded only when a bar is drawn: commands run from scripts never pay for it.
  const cliProgress = createRequire(import.meta.url)('cli-progress') as typeof CliProgress;
  let bar: CliProgress.SingleBar | undefined;
  return {
    start(label, total) {
      bar = new cliProgress.SingleBar(
        {
          stream,
          format: `${label} [{bar}] {percentage}% | {value}/{total} | {duration_formatted} | eta {eta_formatted}`,
          hideCursor: true,
          clearOnComplete: false,
        },
        cliProgress.Presets.shades_classic,
      );
      bar.start(total, 0);
    },
    advance(steps = 1) {
      bar?.increment(steps);
    },
    stop() {
      bar?.stop();
      bar = undefined;
    },
  };
}

/** Plain lines, at most one every `intervalMs`, for logs and pipes (stderr not a terminal). */
export function lineProgress(write: (line: string) => void, intervalMs = 1000, now: () => number = Date.now): Progress {
  let label = '';
  let total = 0;
  let done = 0;
  let lastLine = 0;
  const line = () => write(`${label}: ${done}/${total}${total > 0 ? ` (${Math.floor((100 * done) / total)}%)` : ''}`);
  return {
    start(newLabel, newTotal) {
      label = newLabel;
      total = newTotal;
      done = 0;
      lastLine = now();
      line();
    },
    advance(steps = 1) {
      done += steps;
      if (now() - lastLine >= intervalMs) {
        lastLine = now();
        line();
      }
    },
    stop() {
      line();
    },
  };
}
