import { Agent, request } from 'undici';
import type { Clock } from '../../time/clock.js';
import type { Logger } from '../../log.js';
import { silentLogger } from '../../log.js';
import { LndError, lndErrorFromBody, readErrorBody } from './errors.js';
import {
  defaultRetryPolicy,
  describe,
  withRetry,
  type RetryDeps,
  type RetryMode,
  type RetryPolicy,
} from './retry.js';

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
}

type Method = 'GET' | 'POST' | 'DELETE';

/**
 * A thin JSON client for LND's REST proxy: TLS pinned to the node's own
 * certificate, the macaroon in `Grpc-Metadata-macaroon`, errors turned into
 * `LndError`s, transport failures retried on the injected clock.
 */
export class LndRestClient {
  readonly restUrl: string;
  readonly #agent: Agent;
  readonly #macaroonHex: string;
  readonly #retryDeps: RetryDeps;

  constructor(conn: LndConnection, deps: { clock: Clock; logger?: Logger; retry?: Partial<RetryPolicy> }) {
    let url: URL;
    try {
      url = new URL(conn.restUrl);
    } catch (cause) {
      throw new LndError('bad_config', `restUrl ${JSON.stringify(conn.restUrl)} is not a URL`, { cause });
    }
    if (url.protocol !== 'https:') {
      throw new LndError(
        'bad_config',
        `restUrl must be https:// (LND's REST is TLS-only), got ${conn.restUrl}`,
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
    this.#agent = new Agent({ connect: { ca }, keepAliveTimeout: 10_000 });
    this.#retryDeps = {
      clock: deps.clock,
      log: deps.logger ?? silentLogger,
      policy: { ...defaultRetryPolicy, ...deps.retry },
    };
  }

  /** One JSON request/response call. Throws `LndError` on faults. */
  async call(method: Method, path: string, body?: unknown, opts: CallOptions = {}): Promise<unknown> {
    return withRetry(`${method} ${path}`, opts, this.#retryDeps, async () => {
      const res = await request(this.restUrl + path, {
        method,
        dispatcher: this.#agent,
        headers: this.#headers(body),
        body: body === undefined ? null : JSON.stringify(body),
        ...(opts.signal ? { signal: opts.signal } : {}),
      });
      const text = await res.body.text();
      const parsed = parseJson(text);
      if (res.statusCode >= 200 && res.statusCode < 300 && parsed.ok) return parsed.value;
      throw lndErrorFromBody(this.#where(method, path), res.statusCode, parsed.ok ? parsed.value : text);
    });
  }

  /**
   * A server-streaming call (newline-delimited JSON, `{"result": …}` per line).
   * Yields each result; an `{"error": …}` line throws `LndError`. A dropped
   * connection throws `LndError('unreachable')`: the caller decides how to resume.
   */
  async *stream(
    method: Method,
    path: string,
    body?: unknown,
    opts: CallOptions = {},
  ): AsyncGenerator<unknown> {
    const where = this.#where(method, path);
    // Opening the stream is retried like a call; once it is open, a drop ends it.
    const res = await withRetry(
      where,
      { retry: opts.retry ?? 'if-not-sent', ...opts },
      this.#retryDeps,
      async () => {
        const r = await request(this.restUrl + path, {
          method,
          dispatcher: this.#agent,
          headers: this.#headers(body),
          body: body === undefined ? null : JSON.stringify(body),
          // Streams stay silent for as long as a payment is in flight: no idle timeouts.
          headersTimeout: 0,
          bodyTimeout: 0,
          ...(opts.signal ? { signal: opts.signal } : {}),
        });
        if (r.statusCode < 200 || r.statusCode >= 300) {
          const text = await r.body.text();
          const firstLine = text.split('\n').find((l) => l.trim() !== '') ?? '';
          const parsed = parseJson(firstLine);
          throw lndErrorFromBody(where, r.statusCode, parsed.ok ? parsed.value : text);
        }
        return r;
      },
    );
    let buffer = '';
    try {
      for await (const chunk of res.body) {
        buffer += typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
        let nl: number;
        while ((nl = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, nl).trim();
          buffer = buffer.slice(nl + 1);
          if (line !== '') yield this.#streamMessage(where, line);
        }
      }
      if (buffer.trim() !== '') yield this.#streamMessage(where, buffer.trim());
    } catch (err) {
      if (err instanceof LndError) throw err;
      if (opts.signal?.aborted) throw err;
      throw new LndError('unreachable', `${where}: the connection to LND dropped (${describe(err)})`, {
        cause: err,
      });
    } finally {
      // Ends the HTTP request when the consumer stops early (lookup reads one message).
      if (!res.body.destroyed) res.body.destroy();
    }
  }

  /** Closes pooled connections. */
  async close(): Promise<void> {
    await this.#agent.close();
  }

  #streamMessage(where: string, line: string): unknown {
    const parsed = parseJson(line);
    if (!parsed.ok)
      throw new LndError('bad_response', `${where}: unreadable stream line ${line.slice(0, 200)}`);
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
