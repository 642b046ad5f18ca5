import { LabError } from '../../errors.js';

/**
 * Faults talking to LND. Expected payment failures are values (`Payment.failure`);
 * these are the things a user has to fix or wait out: a node that does not
 * answer, a wrong macaroon or certificate, a response we cannot read.
 */
export type LndErrorCode =
  /** No TCP/TLS answer after every retry (node down, wrong port). */
  | 'unreachable'
  /** LND took the request but did not answer within the client's time limit (wedged or overloaded). */
  | 'timeout'
  /** The node answered but its RPC server is not ready yet (starting, wallet locked). */
  | 'not_ready'
  /** LND rejected the macaroon (wrong node, wrong file, read-only macaroon). */
  | 'unauthorized'
  /** The TLS certificate presented does not match the one we were told to trust. */
  | 'tls'
  /** LND says the object does not exist (invoice, payment). */
  | 'not_found'
  /** LND refused the request as invalid (bad hash, bad amount, bad invoice). */
  | 'bad_request'
  /** Any other error LND reported. */
  | 'lnd_error'
  /** LND answered with something we could not parse. */
  | 'bad_response'
  /** The connection settings are unusable (missing file, bad URL). */
  | 'bad_config';

/** A fault talking to LND: a `LabError` that also carries what LND answered, for callers that map it. */
export class LndError extends LabError<LndErrorCode> {
  override name = 'LndError';
  /** HTTP status from LND's REST proxy, when there was one. */
  readonly status: number | undefined;
  /** gRPC status code from LND's error body, when there was one. */
  readonly grpcCode: number | undefined;
  /** LND's own error text, cut to `MAX_LND_TEXT` characters (payment code maps some of these to failure reasons). */
  readonly lndMessage: string | undefined;

  constructor(
    code: LndErrorCode,
    message: string,
    opts: { status?: number; grpcCode?: number; lndMessage?: string; cause?: unknown } = {},
  ) {
    super(code, message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.status = opts.status;
    this.grpcCode = opts.grpcCode;
    this.lndMessage = opts.lndMessage;
  }
}

// gRPC status codes LND puts in its REST error bodies.
const GRPC_NOT_FOUND = 5;
const GRPC_INVALID_ARGUMENT = 3;
const GRPC_UNAVAILABLE = 14;
const GRPC_UNAUTHENTICATED = 16;
const GRPC_PERMISSION_DENIED = 7;

/** Most characters of LND's text an error carries: an answer of any size must not end up whole in logs. */
export const MAX_LND_TEXT = 500;

/** `text` cut to `max` characters, saying how long it was. */
export function clip(text: string, max = MAX_LND_TEXT): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length} characters in all)`;
}

/**
 * Classifies an error body from LND's REST proxy (`{code, message}`) into an
 * `LndError`. `where` names the node and call for the message.
 */
export function lndErrorFromBody(where: string, status: number, body: unknown): LndError {
  const { grpcCode, message: whole } = readErrorBody(body);
  const message = clip(whole);
  const text = message || `HTTP ${status}`;
  const opts = { status, lndMessage: message, ...(grpcCode === undefined ? {} : { grpcCode }) };
  if (
    /macaroon|verification failed|permission denied|cannot retrieve macaroon/i.test(text) ||
    grpcCode === GRPC_UNAUTHENTICATED ||
    grpcCode === GRPC_PERMISSION_DENIED
  ) {
    return new LndError(
      'unauthorized',
      `${where}: LND rejected the macaroon (${text}). Point macaroonPath at this node's admin.macaroon ` +
        `(<lnddir>/data/chain/bitcoin/<network>/admin.macaroon).`,
      opts,
    );
  }
  if (status === 401 || status === 403) {
    // Refused for its credentials, but not in LND's words: something else answers at restUrl (a proxy).
    return new LndError(
      'unauthorized',
      `${where}: HTTP ${status} (${text}) refused the request's credentials, not in LND's words: check that ` +
        `restUrl is this LND's REST address and macaroonPath its admin.macaroon.`,
      opts,
    );
  }
  if (isNotReadyMessage(text) || grpcCode === GRPC_UNAVAILABLE || status === 503) {
    const advice = isNotStartedMessage(text)
      ? 'wait for it to start'
      : 'a write may have been carried out before the connection closed: look it up before repeating it';
    return new LndError('not_ready', `${where}: LND is not ready (${text}); ${advice}.`, opts);
  }
  if (isLndNotFound(grpcCode, message)) return new LndError('not_found', `${where}: ${text}`, opts);
  if (status === 404) {
    // Go's "404 page not found", grpc-gateway's {code: 5, message: "Not Found"} for a path it has no route for.
    return new LndError(
      'lnd_error',
      `${where}: HTTP 404 (${text}) is not LND's answer about the request: check that restUrl is LND's ` +
        `REST address and that this LND (v0.20) serves this call.`,
      opts,
    );
  }
  if (grpcCode === GRPC_INVALID_ARGUMENT || status === 400) {
    return new LndError('bad_request', `${where}: LND refused the request: ${text}`, opts);
  }
  return new LndError('lnd_error', `${where}: ${text}`, opts);
}

/**
 * LND's own texts for "no such record" (lnd v0.20: payments/db ErrPaymentNotInitiated, which
 * TrackPaymentV2 answers with gRPC NotFound; invoices ErrInvoiceNotFound, ErrNoInvoicesCreated).
 */
const LND_NOT_FOUND: ReadonlySet<string> = new Set([
  "payment isn't initiated",
  'unable to locate invoice',
  'there are no existing invoices',
]);

/** What grpc-gateway answers (code 5) for a path it has no route for: not a missing record. */
const GATEWAY_NO_ROUTE = 'Not Found';

/**
 * Whether an error says LND has no record of what was asked: LND's NotFound (gRPC code 5 in its
 * JSON error body) or one of its exact texts. Any other "not found" (a proxy's page, Go's
 * "404 page not found", a database's "bucket not found") says nothing about the record.
 */
function isLndNotFound(grpcCode: number | undefined, message: string): boolean {
  const text = message.trim();
  if (LND_NOT_FOUND.has(text)) return true;
  return grpcCode === GRPC_NOT_FOUND && text !== '' && text !== GATEWAY_NO_ROUTE;
}

/** True for the messages LND gives while its RPC server is starting, stopping, or the wallet is locked. */
export function isNotReadyMessage(text: string): boolean {
  // "… server shutting down": LND sends this on open streams as it stops; it is back after a restart.
  return (
    isNotStartedMessage(text) ||
    /server is not active|rpc server is not|shutting down|connection is closing|transport is closing/i.test(
      text,
    )
  );
}

/**
 * True for LND refusing a call before running it (lnd v0.20 rpcperms: waiting to start, wallet not
 * created or locked, RPC server starting; "server is still in the process of starting"), or its REST
 * proxy failing to reach its gRPC server (grpc "transport: Error while dialing"). A write refused so
 * never reached LND's handler; "shutting down" and "transport is closing" may come after it did.
 */
export function isNotStartedMessage(text: string): boolean {
  return /waiting to start|wallet (locked|not created)|in the process of starting|not yet ready|error while dialing/i.test(
    text,
  );
}

/** Pulls `{code, message}` out of a REST error body (plain or wrapped in `{error: …}` on streams). */
export function readErrorBody(body: unknown): { grpcCode: number | undefined; message: string } {
  const inner =
    body !== null && typeof body === 'object' && 'error' in body && typeof body.error === 'object'
      ? (body.error as Record<string, unknown>)
      : (body as Record<string, unknown> | null);
  if (inner === null || typeof inner !== 'object') {
    return { grpcCode: undefined, message: typeof body === 'string' ? body : '' };
  }
  const code = inner.code ?? inner.grpc_code;
  const message = inner.message ?? inner.error;
  return {
    grpcCode: typeof code === 'number' ? code : undefined,
    message: typeof message === 'string' ? message : '',
  };
}
