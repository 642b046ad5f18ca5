import { Redis } from 'ioredis';
import { LabError } from '../../infra/errors.js';

/** A queue problem the user must act on (the message says what to do). */
export type QueueErrorCode = 'bad_queue_url' | 'redis_unreachable' | 'not_redis' | 'bad_reply';

/** The connection settings both ioredis and BullMQ take. */
export interface RedisFields {
  host: string;
  port: number;
  username?: string;
  password?: string;
  db: number;
  tls?: object;
  connectTimeout: number;
  commandTimeout: number;
}

/** Where the queue lives: connection settings with timeouts, and the URL to show (password hidden). */
export interface QueueTarget {
  shown: string;
  options: RedisFields;
}

/** Connecting gives up after this long; every command after this long (blocking reads wait at most 5 s less). */
export const CONNECT_TIMEOUT_MS = 5_000;
export const COMMAND_TIMEOUT_MS = 15_000;

/**
 * Parses `--queue redis://[user:password@]host:port[/db]` (or `rediss://` for TLS).
 * @example parseQueueUrl('redis://10.0.0.5:6379/2').options.db // 2
 */
export function parseQueueUrl(text: string): QueueTarget {
  const usage = `--queue expects redis://[user:password@]host:port[/db] (rediss:// for TLS), got "${withoutPassword(text)}"`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new LabError<QueueErrorCode>('bad_queue_url', usage);
  }
  if ((url.protocol !== 'redis:' && url.protocol !== 'rediss:') || !url.hostname)
    throw new LabError<QueueErrorCode>('bad_queue_url', usage);
  const dbText = url.pathname.replace(/^\//, '');
  if (dbText && !/^\d+$/.test(dbText))
    throw new LabError<QueueErrorCode>('bad_queue_url', `${usage}: the database after "/" must be a number`);
  if (url.search || url.hash)
    throw new LabError<QueueErrorCode>('bad_queue_url', `${usage}: no query or fragment`);
  const shown = `${url.protocol}//${url.username ? `${url.username}@` : ''}${url.host}${url.pathname}`;
  const decode = (part: string, what: string) => {
    try {
      return decodeURIComponent(part);
    } catch {
      throw new LabError<QueueErrorCode>(
        'bad_queue_url',
        `${usage}: the ${what} has a "%" that is not followed by two hex digits; ` +
          'write a "%" in it as %25 (and other special characters percent-encoded)',
      );
    }
  };
  return {
    shown: shown.replace(/\/$/, ''),
    options: {
      host: url.hostname.replace(/^\[|\]$/g, ''),
      port: url.port ? Number(url.port) : 6379,
      ...(url.username && { username: decode(url.username, 'user name') }),
      ...(url.password && { password: decode(url.password, 'password') }),
      db: dbText ? Number(dbText) : 0,
      ...(url.protocol === 'rediss:' && { tls: {} }),
      connectTimeout: CONNECT_TIMEOUT_MS,
      commandTimeout: COMMAND_TIMEOUT_MS,
    },
  };
}

/**
 * `text` as a message may quote it: a password (what stands between the user name's ":" and the
 * last "@", after any "scheme://") taken out, the user name kept, whether or not `text` parses as a URL.
 * @example withoutPassword('redis://u:S3cret@10.0.0.5:6379/x') // 'redis://u@10.0.0.5:6379/x'
 */
export function withoutPassword(text: string): string {
  const at = text.lastIndexOf('@');
  if (at < 0) return text;
  const scheme = text.indexOf('//');
  const start = scheme >= 0 && scheme < at ? scheme + 2 : 0;
  const colon = text.indexOf(':', start);
  return colon >= 0 && colon < at ? text.slice(0, colon) + text.slice(at) : text;
}

/**
 * Opens a connection and checks it with PING and SELECT of the URL's database, failing within
 * CONNECT_TIMEOUT_MS with an error that says what to do rather than retrying forever (or, for a
 * database the server lacks, silently using database 0). Later drops are retried by ioredis.
 */
export async function connectRedis(target: QueueTarget): Promise<Redis> {
  const probe = new Redis({
    ...target.options,
    db: 0, // selected below, where a refusal is an error rather than ioredis's silent fallback
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  // The socket's errors (ECONNREFUSED, ETIMEDOUT, NOAUTH, a reply that is not RESP) say more than the
  // rejected connect's "Connection is closed".
  let socketError: Error | undefined;
  probe.on('error', (err: Error) => (socketError ??= err));
  try {
    await probe.connect();
    await probe.ping();
  } catch (cause) {
    probe.disconnect();
    throw probeFailure(target, socketError ?? (cause as Error), { cause });
  }
  try {
    await probe.select(target.options.db);
  } catch (cause) {
    throw new LabError<QueueErrorCode>(
      'bad_queue_url',
      `${target.shown}: Redis refused database ${target.options.db} (${(cause as Error).message}); ` +
        'pick one the server has after the "/" in --queue (0 up to its "databases" setting − 1, 0 to 15 by default)',
      { cause },
    );
  } finally {
    probe.disconnect();
  }
  const redis = new Redis({ ...target.options, maxRetriesPerRequest: 2 });
  redis.on('error', () => {}); // each command fails on its own (timeout or retries exhausted)
  return redis;
}

/**
 * Why the probe failed, put so the user can act on it. Something that answers, but not in RESP (an
 * HTTP server: `Unknown RESP type 60 "<"`), or that accepts the connection and closes it at the
 * first command (EPIPE, ECONNRESET), is not a Redis server.
 */
function probeFailure(
  target: QueueTarget,
  err: Error,
  options: { cause: unknown },
): LabError<QueueErrorCode> {
  const code = (err as { code?: unknown }).code;
  const notResp = /^(Unknown RESP type|Protocol error)/.test(err.message);
  if (notResp || code === 'EPIPE' || code === 'ECONNRESET')
    return new LabError<QueueErrorCode>(
      'not_redis',
      `${target.shown} does not speak the Redis protocol ` +
        `(${notResp ? 'it answered with something else' : 'it closed the connection at the first command'}); ` +
        'check --queue: it must be the address of a Redis server (rediss:// if that server expects TLS).',
      options,
    );
  return new LabError<QueueErrorCode>(
    'redis_unreachable',
    `cannot reach Redis at ${target.shown}: ${err.message}. ` +
      'Start one (redis-server --port 6379) or pass the address of a running one to --queue; ' +
      'every coordinator and worker must reach the same Redis.',
    options,
  );
}
