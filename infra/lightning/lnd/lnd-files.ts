import { open, stat } from 'node:fs/promises';
import { LndError } from './errors.js';
import type { LndConnection } from './rest-client.js';

/** Paths to a node's files, as the regtest description and Polar give them. */
export interface LndFiles {
  restUrl: string;
  /** Full path of the node's tls.cert (`~` is not expanded). */
  tlsCertPath: string;
  /** Full path of a macaroon file: LND's binary one, or its hex text (`xxd -p -c0`). */
  macaroonPath: string;
}

/** Most bytes of a tls.cert or macaroon file (LND's are about 1 KB and 300 bytes). */
export const MAX_LND_FILE_BYTES = 64 * 1024;

/**
 * Reads a node's certificate and macaroon. A file that cannot be read, is not
 * a regular file or is over `MAX_LND_FILE_BYTES` is `LndError('bad_config')`
 * naming it. A macaroon file of hex digits only is taken as hex text (LND's
 * own macaroon files are binary: they start with byte 0x02, never a digit).
 */
export async function readConnection(files: LndFiles): Promise<LndConnection> {
  // One after the other: when both are wrong, the error is always tls.cert's (read at once, the
  // first to fail would name either).
  const tlsCert = await readSmallFile(files.tlsCertPath, 'tls.cert');
  const macaroon = await readSmallFile(files.macaroonPath, 'macaroon');
  return { restUrl: files.restUrl, tlsCert, macaroon: hexText(macaroon) ?? macaroon };
}

/** The file's hex digits when it holds nothing else (surrounding whitespace aside). */
function hexText(bytes: Buffer): string | undefined {
  const text = bytes.toString('latin1').trim();
  return /^([0-9a-f]{2})+$/i.test(text) ? text : undefined;
}

async function readSmallFile(path: string, what: string): Promise<Buffer> {
  const refuse = (why: string, cause?: unknown) =>
    new LndError('bad_config', `cannot read ${what} at ${path}: ${why}`, cause ? { cause } : {});
  try {
    // Checked before opening: opening a FIFO would wait for a writer, reading a device would not end.
    const st = await stat(path);
    if (!st.isFile()) throw refuse(`not a regular file; give the path of the node's ${what} file`);
    if (st.size > MAX_LND_FILE_BYTES) throw refuse(tooBig(st.size, what));
    const fh = await open(path, 'r');
    try {
      // One byte more than allowed: a file that grew since stat is refused too.
      const buf = Buffer.alloc(MAX_LND_FILE_BYTES + 1);
      let got = 0;
      while (got < buf.length) {
        const { bytesRead } = await fh.read(buf, got, buf.length - got, got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      if (got > MAX_LND_FILE_BYTES) throw refuse(tooBig(got, what));
      return buf.subarray(0, got);
    } finally {
      await fh.close();
    }
  } catch (cause) {
    if (cause instanceof LndError) throw cause;
    const hint = path.startsWith('~') ? ' (~ is not expanded: give the full path)' : '';
    throw refuse(`${(cause as Error).message}${hint}`, cause);
  }
}

function tooBig(bytes: number, what: string): string {
  return `${bytes} bytes, over the ${MAX_LND_FILE_BYTES} a ${what} file may have; is this the right file?`;
}
