import { SingleBar } from 'cli-progress';

/** Where commands write: the CLI passes the terminal, tests pass buffers. */
export interface CommandIo {
  out(text: string): void;
  err(text: string): void;
  /** True when a progress bar makes sense (an interactive terminal); else progress is a plain line now and then. */
  interactive: boolean;
  /** The wall clock, for run metadata and plain progress lines. */
  now(): Date;
}

/** A command's result: the process exit code (0 ok, 1 failed, 2 usage, 130/143 stopped by SIGINT/SIGTERM). */
export type ExitCode = 0 | 1 | 2 | 130 | 143;

/** Progress of a long command: a bar on a terminal, plain lines on stderr otherwise. */
export interface Progress {
  update(value: number, payload?: Record<string, string>): void;
  stop(): void;
}

export interface ProgressSpec {
  /** The plain line's first word, e.g. `run` or `sweep`. */
  name: string;
  total: number;
  /** What is counted, e.g. `runs` or `s of market time`. */
  unit: string;
  /** The terminal bar's cli-progress format. */
  barFormat: string;
  payload?: Record<string, string>;
}

/** A plain line at most this often: at each tenth of the work, else once a minute (a queue with no workers). */
const MIN_GAP_MS = 10_000;
const MAX_GAP_MS = 60_000;

/**
 * Starts a progress display on `io`. On a terminal, a cli-progress bar; else
 * (nohup, CI, a pipe) a line such as `sweep: 120/400 runs, eta 12 min` on
 * stderr, so a long run or sweep is not silent.
 */
export function startProgress(io: CommandIo, spec: ProgressSpec): Progress {
  if (!io.interactive) return plainProgress(io, spec);
  const bar = new SingleBar({ format: spec.barFormat, hideCursor: true });
  bar.start(spec.total, 0, spec.payload);
  return { update: (value, payload) => bar.update(value, payload), stop: () => bar.stop() };
}

function plainProgress(io: CommandIo, spec: ProgressSpec): Progress {
  const startMs = io.now().getTime();
  const last = { atMs: startMs, value: 0 };
  let value = 0;
  const tick = () => {
    const nowMs = io.now().getTime();
    const gap = nowMs - last.atMs;
    if (gap < MIN_GAP_MS || (value - last.value < spec.total / 10 && gap < MAX_GAP_MS)) return;
    io.err(progressLine(spec, value, nowMs - startMs));
    Object.assign(last, { atMs: nowMs, value });
  };
  // For the time nothing is updated (a queue coordinator waiting for workers); it never keeps the process up.
  const timer = setInterval(tick, MIN_GAP_MS).unref();
  return {
    update: (v) => {
      value = v;
      tick();
    },
    stop: () => clearInterval(timer),
  };
}

/** `sweep: 120/400 runs, eta 12 min`; before the first is done, the time so far instead of an eta. */
export function progressLine(spec: ProgressSpec, value: number, elapsedMs: number): string {
  const head = `${spec.name}: ${value}/${spec.total} ${spec.unit}`;
  if (value <= 0) return `${head}, ${duration(elapsedMs)} so far`;
  return `${head}, eta ${duration((elapsedMs * Math.max(0, spec.total - value)) / value)}`;
}

function duration(ms: number): string {
  const s = ms / 1000;
  if (s < 90) return `${Math.round(s)} s`;
  if (s < 90 * 60) return `${Math.round(s / 60)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}
