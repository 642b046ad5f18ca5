import { Agent, request, type Dispatcher } from 'undici';
import type { Clock } from '../../time/clock.js';
import type { Logger } from '../../log.js';
import { silentLogger } from '../../log.js';
import { lines, readAll } from './body.js';
import { clip, LndError, lndErrorFromBody, readErrorBody } from './errors.js';
import { lndLimits, retryPolicy, wholeNumber, type LndLimits } from './limits.js';
import {
  defaultRetryPolicy,
  describe,
  withRetry,
  type RetryDeps,
  type RetryMode,
  type RetryPolicy,
} from './retry.js';
import { MAX_CONNECT_MS, outOfFiles, shownUrl, untilAborted } from './transport.js';
import { Watchdog, type Patience } from './watchdog.js';

export { defaultRetryPolicy, type RetryMode, type RetryPolicy } from './retry.js';

/** Where an LND node's REST API is and how to authenticate to it. */
export interface LndConnection {
  /** e.g. `https://127.0.0.1:8080` */
  restUrl: string;
  /** PEM text of the node's tls.cert (trusted as the only CA for this connection). */
  tlsCert: string | Uint8Array;
  /** The macaroon, as hex text or raw bytes (the content of admin.macaroon). */
  macaroon: string | Uint8Array;
}

export interface CallOptions {
  retry?: RetryMode;
  signal?: AbortSignal;
  /** Most ms for this call's whole answer, each try (default `limits.callTimeoutMs`). */
  timeoutMs?: number;
  /** Called before each try to send the request (a caller counting what may have reached LND). */
  onAttempt?: () => void;
}

/** A stream's options: how long it may stay silent, and until when it may run (no limit by default). */
export type StreamOptions = Omit<CallOptions, 'timeoutMs'> & Patience;

type Method = 'GET' | 'POST' | 'DELETE';

/**
 * A thin JSON client for LND's REST proxy: TLS pinned to the node's own
 * certificate, the macaroon in `Grpc-Metadata-macaroon`, errors turned into
 * `LndError`s, transport failures retried on the injected clock.
 */
export class LndRestClient {
  readonly restUrl: string;
  /** How long and how much LND may answer (checked, defaults filled in). */
  readonly limits: LndLimits;
  readonly #agent: Agent;
  readonly #macaroonHex: string;
  readonly #retryDeps: RetryDeps;

  constructor(
    conn: LndConnection,
    deps: { clock: Clock; logger?: Logger; retry?: Partial<RetryPolicy>; limits?: Partial<LndLimits> },
  ) {
    let url: URL;
    try {
      url = new URL(conn.restUrl);
    } catch (cause) {
      const shown = JSON.stringify(shownUrl(conn.restUrl));
      throw new LndError('bad_config', `restUrl ${shown} is not a URL`, { cause });
    }
    if (url.protocol !== 'https:') {
      throw new LndError(
        'bad_config',
        `restUrl must be https:// (LND's REST is TLS-only), got ${shownUrl(conn.restUrl)}`,
      );
    }
    this.restUrl = url.origin;
    this.#macaroonHex =
      typeof conn.macaroon === 'string' ? conn.macaroon.trim() : Buffer.from(conn.macaroon).toString('hex');
    if (!/^([0-9a-f]{2})+$/i.test(this.#macaroonHex)) {
      throw new LndError('bad_config', 'macaroon must be hex text or the raw bytes of a .macaroon file');
    }
    const ca = typeof conn.tlsCert === 'string' ? conn.tlsCert : Buffer.from(conn.tlsCert).toString('utf8');
    if (!ca.includes('BEGIN CERTIFICATE')) {
      throw new LndError('bad_config', 'tlsCert must be the PEM text of the node tls.cert');
    }
    this.limits = lndLimits(deps.limits);
    this.#retryDeps = {
      clock: deps.clock,
      log: deps.logger ?? silentLogger,
      policy: retryPolicy(defaultRetryPolicy, deps.retry),
    };
    // A connection that does not open in time is retried like a refused one, within the call's limit.
    const connectMs = Math.min(this.limits.callTimeoutMs, MAX_CONNECT_MS);
    this.#agent = new Agent({ connect: { ca, timeout: connectMs }, keepAliveTimeout: 10_000 });
  }

  /** One JSON request/response call, each try within `timeoutMs`. Throws `LndError` on faults. */
  async call(method: Method, path: string, body?: unknown, opts: CallOptions = {}): Promise<unknown> {
    const where = this.#where(method, path);
    const timeoutMs = wholeNumber(opts.timeoutMs ?? this.limits.callTimeoutMs, 'timeoutMs', 'bad_request');
    return withRetry(where, opts, this.#retryDeps, async () => {
      const since = this.#retryDeps.clock.now();
      const dog = this.#watchdog(where, { since, deadline: since + timeoutMs }, opts.signal);
      try {
        const res = await this.#send(method, path, body, dog.signal);
        const text = await readAll(res.body, this.limits.maxBodyBytes, where);
        const parsed = parseJson(text);
        if (res.statusCode >= 200 && res.statusCode < 300 && parsed.ok) return parsed.value;
        throw lndErrorFromBody(where, res.statusCode, parsed.ok ? parsed.value : text);
      } catch (err) {
        throw dog.error ?? err;
      } finally {
        dog.stop();
      }
    });
  }

  /**
   * A server-streaming call (newline-delimited JSON, `{"result": …}` per line).
   * Yields each result; an `{"error": …}` line throws `LndError`. A dropped
   * connection throws `LndError('unreachable')`, a silence or deadline past the
   * options' `LndError('timeout')`: the caller decides how to resume.
   */
  async *stream(
    method: Method,
    path: string,
    body?: unknown,
    opts: StreamOptions = {},
  ): AsyncGenerator<unknown> {
    const where = this.#where(method, path);
    const { firstMessageMs, idleMs, deadline } = opts;
    const dog = this.#watchdog(where, { firstMessageMs, idleMs, deadline }, opts.signal);
    let res: Dispatcher.ResponseData | undefined;
    try {
      // Opening the stream is retried like a call; once it is open, a drop ends it.
      res = await withRetry(where, { retry: 'if-not-sent', ...opts }, this.#retryDeps, () =>
        this.#open(method, path, body, dog.signal, where),
      );
      for await (const line of lines(res.body, this.limits.maxLineBytes, where)) {
        dog.kick();
        if (line.trim() !== '') yield this.#streamMessage(where, line.trim());
      }
    } catch (err) {
      if (dog.error) throw dog.error;
      if (err instanceof LndError) throw err;
      if (opts.signal?.aborted) throw err;
      throw new LndError('unreachable', `${where}: the connection to LND dropped (${describe(err)})`, {
        cause: err,
      });
    } finally {
      dog.stop();
      // Ends the HTTP request when the consumer stops early (lookup reads one message).
      if (res && !res.body.destroyed) res.body.destroy();
    }
  }

  /** Closes pooled connections. */
  async close(): Promise<void> {
    await this.#agent.close();
  }

  /**
   * Sends one request; our watchdog, not undici's timers, bounds how long it may take,
   * connecting included (undici would wait for its connect timeout).
   */
  async #send(
    method: Method,
    path: string,
    body: unknown,
    signal: AbortSignal,
  ): Promise<Dispatcher.ResponseData> {
    const pending = request(this.restUrl + path, {
      method,
      dispatcher: this.#agent,
      headers: this.#headers(body),
      body: body === undefined ? null : JSON.stringify(body),
      headersTimeout: 0,
      bodyTimeout: 0,
      signal,
    });
    try {
      return await untilAborted(pending, signal);
    } catch (err) {
      throw outOfFiles(this.#where(method, path), err);
    }
  }

  /** Opens a stream: its status must be 2xx, else its (first) error line is the `LndError`. */
  async #open(
    method: Method,
    path: string,
    body: unknown,
    signal: AbortSignal,
    where: string,
  ): Promise<Dispatcher.ResponseData> {
    const r = await this.#send(method, path, body, signal);
    if (r.statusCode >= 200 && r.statusCode < 300) return r;
    const text = await readAll(r.body, this.limits.maxBodyBytes, where);
    const firstLine = text.split('\n').find((l) => l.trim() !== '') ?? '';
    const parsed = parseJson(firstLine);
    throw lndErrorFromBody(where, r.statusCode, parsed.ok ? parsed.value : text);
  }

  #watchdog(where: string, patience: Patience, outer: AbortSignal | undefined): Watchdog {
    return new Watchdog(this.#retryDeps.clock, where, patience, outer);
  }

  #streamMessage(where: string, line: string): unknown {
    const parsed = parseJson(line);
    if (!parsed.ok) throw new LndError('bad_response', `${where}: unreadable stream line ${clip(line, 200)}`);
    const msg = parsed.value as Record<string, unknown> | null;
    if (msg && typeof msg === 'object' && 'error' in msg && msg.error) {
      const { grpcCode } = readErrorBody(msg);
      throw lndErrorFromBody(where, grpcCode === 5 ? 404 : 500, msg);
    }
    if (msg && typeof msg === 'object' && 'result' in msg) return msg.result;
    return msg;
  }

  #headers(body: unknown): Record<string, string> {
    const h: Record<string, string> = { 'Grpc-Metadata-macaroon': this.#macaroonHex };
    if (body !== undefined) h['content-type'] = 'application/json';
    return h;
  }

  #where(method: string, path: string): string {
    return `LND ${this.restUrl} ${method} ${path.split('?')[0]}`;
  }
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}
