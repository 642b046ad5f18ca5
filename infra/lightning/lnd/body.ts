import { LndError } from './errors.js';

/** A response body as undici hands it over: chunks of bytes (or text). */
type Chunks = AsyncIterable<unknown>;

const NEWLINE = 0x0a;

function bytesOf(chunk: unknown): Uint8Array {
  return typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : (chunk as Uint8Array);
}

function tooLarge(where: string, what: string, limit: string, max: number): LndError {
  return new LndError(
    'bad_response',
    `${where}: LND sent ${what} over ${max} bytes; it was not read. ` +
      `Check that restUrl is this node's REST address, or raise limits.${limit}.`,
  );
}

const bodyTooLarge = (where: string, max: number) => tooLarge(where, 'an answer', 'maxBodyBytes', max);
const lineTooLarge = (where: string, max: number) => tooLarge(where, 'a stream message', 'maxLineBytes', max);

/** Reads a whole answer as UTF-8 text, at most `max` bytes; a longer one is `LndError('bad_response')`. */
export async function readAll(body: Chunks, max: number, where: string): Promise<string> {
  const parts: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body) {
    const bytes = bytesOf(chunk);
    size += bytes.byteLength;
    if (size > max) throw bodyTooLarge(where, max);
    parts.push(bytes);
  }
  return Buffer.concat(parts).toString('utf8');
}

/**
 * The lines of a newline-delimited stream, decoded as UTF-8. Lines are cut on
 * the newline byte before decoding (a character split across chunks stays
 * whole: 0x0a never occurs inside a multi-byte character), each chunk is
 * scanned once, and a line over `maxLine` bytes is `LndError('bad_response')`.
 */
export async function* lines(body: Chunks, maxLine: number, where: string): AsyncGenerator<string> {
  let parts: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body) {
    let rest = bytesOf(chunk);
    for (let nl = rest.indexOf(NEWLINE); nl >= 0; nl = rest.indexOf(NEWLINE)) {
      if (size + nl > maxLine) throw lineTooLarge(where, maxLine);
      parts.push(rest.subarray(0, nl));
      yield Buffer.concat(parts).toString('utf8');
      parts = [];
      size = 0;
      rest = rest.subarray(nl + 1);
    }
    size += rest.byteLength;
    if (size > maxLine) throw lineTooLarge(where, maxLine);
    if (rest.byteLength > 0) parts.push(rest);
  }
  if (size > 0) yield Buffer.concat(parts).toString('utf8');
}
