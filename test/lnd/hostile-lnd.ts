/**
 * A scripted hostile peer speaking LND's REST shapes, for fault injection.
 *
 * Real LND runs in test/regtest. The faults here cannot be had from it on
 * demand: a send answered "routerrpc server shutting down" and its repeat
 * "invoice expired", a connection accepted and never answered, a stream line
 * of megabytes without a newline, a character cut between two TCP chunks, a
 * proxy's 502 page. This peer replays LND 0.20's REST shapes (grpc-gateway):
 * `{"result": …}` lines on streams, `{"error": {code, message, details}}` when
 * a stream fails, `{code, message, details}` bodies for calls, with the HTTP
 * status grpc-gateway gives each gRPC code; int64 as decimal strings. The
 * invoice is a real one LND made, with LND's own decoding of it
 * (test/fixtures/lnd-invoice.json); the error texts are LND's (see
 * test/regtest/failure-mapping.test.ts). TLS uses a fixed self-signed P-256
 * certificate for 127.0.0.1 (fixtures/, valid 2000–2099), pinned as LND's tls.cert is.
 */
import { readFileSync } from 'node:fs';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { LndNode, type LndNodeOptions } from '../../infra/lightning/lnd/index.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
export const CERT = fixture('hostile-lnd.cert.pem');
const KEY = fixture('hostile-lnd.key.pem');

const lndInvoice = (
  JSON.parse(readFileSync(new URL('../fixtures/lnd-invoice.json', import.meta.url), 'utf8')) as {
    invoices: Array<{
      payment_request: string;
      lnd_decodepayreq: { payment_hash: string; num_msat: string };
    }>;
  }
).invoices[0]!;

/** A real BOLT11 invoice (123,456 msat, regtest) and what LND's GET /v1/payreq answers for it. */
export const INVOICE = lndInvoice.payment_request;
export const DECODED = lndInvoice.lnd_decodepayreq;
export const HASH = DECODED.payment_hash;
/** The hash as LND's REST paths take it (URL-safe base64, padded). */
export const HASH_B64URL = Buffer.from(HASH, 'hex')
  .toString('base64')
  .replace(/\+/g, '-')
  .replace(/\//g, '_');

/** One request the peer received. */
export interface Exchange {
  method: string;
  path: string;
  body: string;
  /** The request's headers (the macaroon is `grpc-metadata-macaroon`). */
  headers: IncomingHttpHeaders;
}

/** What the peer does with each request; not answering at all is allowed. */
export type Script = (req: Exchange, res: ServerResponse) => void | Promise<void>;

export interface HostileLnd {
  restUrl: string;
  /** Every request so far, as `METHOD /path` (query included). */
  requests: string[];
  /** An `LndNode` pinned to this peer's certificate (closed with the peer). */
  node(opts?: Omit<LndNodeOptions, 'connection'>): LndNode;
  close(): Promise<void>;
}

export async function startHostileLnd(script: Script): Promise<HostileLnd> {
  const requests: string[] = [];
  const nodes: LndNode[] = [];
  const server = createServer({ cert: CERT, key: KEY }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const ex = {
        method: req.method ?? '',
        path: req.url ?? '',
        body: Buffer.concat(chunks).toString('utf8'),
        headers: req.headers,
      };
      requests.push(`${ex.method} ${ex.path}`);
      void script(ex, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const restUrl = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    restUrl,
    requests,
    node(opts = {}) {
      const node = new LndNode({ ...opts, connection: { restUrl, tlsCert: CERT, macaroon: '0201' } });
      nodes.push(node);
      return node;
    },
    async close() {
      server.closeAllConnections();
      await Promise.all(nodes.map((n) => n.close().catch(() => undefined)));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The HTTP status grpc-gateway answers for a gRPC code (Unknown, DeadlineExceeded, NotFound, Unavailable). */
const HTTP_STATUS: Record<number, number> = { 2: 500, 4: 504, 5: 404, 14: 503 };

/** A unary call's answer: `body` as JSON with `status`. */
export function answer(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** A unary call failing with gRPC `code` and LND's `message`. */
export function callError(res: ServerResponse, code: number, message: string): void {
  answer(res, HTTP_STATUS[code] ?? 500, { code, message, details: [] });
}

/** A stream failing before its first message, as grpc-gateway sends it. */
export function streamError(res: ServerResponse, code: number, message: string): void {
  res.writeHead(HTTP_STATUS[code] ?? 500, { 'content-type': 'application/json' });
  res.end(`${JSON.stringify({ error: { code, message, details: [] } })}\n`);
}

/** Writes one stream message (`{"result": …}` and a newline), starting the stream if needed. */
export function streamLine(res: ServerResponse, result: unknown): void {
  if (!res.headersSent) res.writeHead(200, { 'content-type': 'application/json' });
  res.write(`${JSON.stringify({ result })}\n`);
}

/** An lnrpc.Payment for the fixture invoice, as TrackPaymentV2 and SendPaymentV2 stream it. */
export function payment(status: 'IN_FLIGHT' | 'SUCCEEDED' | 'FAILED', over: Record<string, unknown> = {}) {
  return {
    payment_hash: HASH,
    value: '123',
    creation_date: '1795238300',
    fee: '1',
    payment_preimage: status === 'SUCCEEDED' ? '11'.repeat(32) : '0'.repeat(64),
    value_sat: '123',
    value_msat: DECODED.num_msat,
    payment_request: INVOICE,
    status,
    fee_sat: '1',
    fee_msat: status === 'SUCCEEDED' ? '1000' : '0',
    creation_time_ns: '1795238300000000000',
    htlcs: [],
    payment_index: '7',
    failure_reason: status === 'FAILED' ? 'FAILURE_REASON_NO_ROUTE' : 'FAILURE_REASON_NONE',
    ...over,
  };
}

/** An lnrpc.Invoice for the fixture invoice, as the invoice feeds stream it. */
export function invoice(over: Record<string, unknown> = {}) {
  return {
    memo: 'l402-lab fixture',
    r_preimage: '',
    r_hash: Buffer.from(HASH, 'hex').toString('base64'),
    value: '123',
    value_msat: DECODED.num_msat,
    creation_date: '1795238285',
    settle_date: '0',
    payment_request: INVOICE,
    expiry: '3600',
    amt_paid_msat: '0',
    state: 'OPEN',
    add_index: '1',
    settle_index: '0',
    htlcs: [],
    ...over,
  };
}

/** Answers GET /v1/payreq with LND's decoding of the fixture invoice; `false` for any other request. */
export function decodes(req: Exchange, res: ServerResponse): boolean {
  if (!req.path.startsWith('/v1/payreq/')) return false;
  answer(res, 200, DECODED);
  return true;
}

/** Resolves after `ms` of wall time (the peer's own pacing). */
export const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
