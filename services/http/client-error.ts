import type { Socket } from 'node:net';

/**
 * Node's own limits on receiving a request, for every server here (its
 * defaults wait 60 s for the headers and 300 s for the whole request),
 * set by `listen`: a slow sender gets 408 `request_timeout` and the socket
 * is closed. Node checks them every 30 s (`connectionsCheckingInterval`), so
 * they fire up to that much later. They bound receiving the request only,
 * not the time to answer it.
 */
export const HEADERS_TIMEOUT_MS = 15_000;
export const REQUEST_TIMEOUT_MS = 30_000;

/**
 * The request headers Node reads before it refuses a request (its
 * `--max-http-header-size` default, 16 KiB); an L402 Authorization header is
 * a few hundred bytes.
 */
export const MAX_HEADER_BYTES = 16 * 1024;

/** The JSON refusal for a request Node could not read, by Node's error code. */
function refusalOf(code: string | undefined): {
  status: number;
  reason: string;
  error: string;
  message: string;
} {
  if (code === 'HPE_HEADER_OVERFLOW')
    return {
      status: 431,
      reason: 'Request Header Fields Too Large',
      error: 'headers_too_large',
      message: `the request headers are over ${MAX_HEADER_BYTES / 1024} KiB; send fewer or shorter headers`,
    };
  if (code === 'HPE_CHUNK_EXTENSIONS_OVERFLOW')
    return {
      status: 413,
      reason: 'Payload Too Large',
      error: 'body_too_large',
      message: 'the chunk extensions of the request body are too large',
    };
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT')
    return {
      status: 408,
      reason: 'Request Timeout',
      error: 'request_timeout',
      message: `the request did not arrive in time (headers within ${HEADERS_TIMEOUT_MS / 1000} s, the whole request within ${REQUEST_TIMEOUT_MS / 1000} s)`,
    };
  return {
    status: 400,
    reason: 'Bad Request',
    error: 'bad_request',
    message: `the request is not valid HTTP/1.1 (${code ?? 'unreadable'})`,
  };
}

/**
 * Answers a request Node's parser refused (headers too large, too slow,
 * malformed) with the same `{ error, message }` JSON as every other refusal
 * here, instead of Node's bare status line, then closes the connection. A
 * socket that is gone or already answering is only destroyed.
 */
export function answerClientError(err: Error & { code?: string }, socket: Socket): void {
  // The response of an earlier request on this connection may be on its way: writing would corrupt it.
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent: boolean } })._httpMessage;
  if (err.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent) {
    socket.destroy();
    return;
  }
  const r = refusalOf(err.code);
  const body = JSON.stringify({ error: r.error, message: r.message });
  socket.end(
    `HTTP/1.1 ${r.status} ${r.reason}\r\n` +
      'Content-Type: application/json\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
}
