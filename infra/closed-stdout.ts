/**
 * A command's output piped into a reader that stops early (`… | head -3`)
 * closes the pipe. Node then raises EPIPE on stdout as an unhandled 'error'
 * event and the command dies with a stack trace, in the middle of whatever it
 * was doing (a network half brought up, a run half written). The reader wanted
 * no more output, so the command finishes its work and its further output is
 * dropped. Other stdout errors still throw.
 */
const DROPPED = new Set(['EPIPE', 'ERR_STREAM_DESTROYED']);

/** Lets the command outlive a closed stdout pipe. Call once, first thing in a CLI. */
export function ignoreClosedStdout(stdout: NodeJS.WriteStream = process.stdout): void {
  stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (!DROPPED.has(err.code ?? '')) throw err;
  });
}
