import pino, { type Logger } from 'pino';

export type { Logger };

export interface LoggerOptions {
  level?: string;
  name?: string;
  /** Pretty output; defaults to true on a TTY, JSON lines otherwise. */
  pretty?: boolean;
}

/**
 * The one way to make a logger. Entry points (CLIs, servers) create it and
 * pass it down; library code takes a `Logger` and never writes to the console.
 * LOG_LEVEL overrides the level.
 */
export function createLogger({
  level = process.env.LOG_LEVEL ?? 'info',
  name,
  pretty = Boolean(process.stdout.isTTY),
}: LoggerOptions = {}): Logger {
  if (pretty) {
    return pino({
      level,
      name,
      transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l' } },
    });
  }
  return pino({ level, name });
}

/** A logger that drops everything: the default for libraries and tests. */
export const silentLogger: Logger = pino({ level: 'silent' });
