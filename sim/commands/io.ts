/** Where commands write: the CLI passes the terminal, tests pass buffers. */
export interface CommandIo {
  out(text: string): void;
  err(text: string): void;
  /** True when a progress bar makes sense (an interactive terminal). */
  interactive: boolean;
  /** The wall clock, for run metadata. */
  now(): Date;
}

/** A command's result: the process exit code (0 ok, 1 failed, 2 usage). */
export type ExitCode = 0 | 1 | 2;
