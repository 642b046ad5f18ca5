/** Raw HTTP/1.1 clients on a `net.Socket`: a request sent then half-closed, or closed after its answer. */
import { connect } from 'node:net';
import type { Listening } from '../../../services/http/listen.js';

/** A raw HTTP/1.1 GET of `path` with `authorization`. */
const rawGet = (authorization: string, path: string) =>
  `GET ${path} HTTP/1.1\r\nHost: seller\r\nAuthorization: ${authorization}\r\n\r\n`;

/**
 * Sends a GET of `path` with `authorization` on a new connection to `http`, then half-closes it at once (`socket.end()`: a
 * FIN after the request, as HTTP/1.0 clients and `nc -N` do). Resolves with every byte received
 * once the connection is closed.
 */
export function sendThenHalfClose(http: Listening, authorization: string, path: string): Promise<string> {
  const socket = connect(http.port, '127.0.0.1');
  let text = '';
  socket.setEncoding('utf8').on('data', (d: string) => (text += d));
  socket.on('error', () => undefined);
  const closed = new Promise<string>((resolve) => socket.on('close', () => resolve(text)));
  socket.end(rawGet(authorization, path));
  return closed;
}

/**
 * Sends a GET of `path` with `authorization` on a new connection to `http`, reads its whole answer (headers and the
 * Content-Length bytes of its body), then closes the connection. Resolves with the answer once the
 * connection is closed.
 */
export function answerThenClose(http: Listening, authorization: string, path: string): Promise<string> {
  const socket = connect(http.port, '127.0.0.1');
  let text = '';
  socket.on('error', () => undefined);
  socket.setEncoding('utf8').on('data', (d: string) => {
    text += d;
    const [head, body] = text.split('\r\n\r\n') as [string, string | undefined];
    const length = /content-length: (\d+)/i.exec(head)?.[1];
    if (body !== undefined && length !== undefined && Buffer.byteLength(body) >= Number(length)) socket.end();
  });
  const closed = new Promise<string>((resolve) => socket.on('close', () => resolve(text)));
  socket.write(rawGet(authorization, path));
  return closed;
}
