import { readFile } from 'node:fs/promises';
import { LndError } from './errors.js';
import type { LndConnection } from './rest-client.js';

/** Paths to a node's files, as the regtest description and Polar give them. */
export interface LndFiles {
  restUrl: string;
  tlsCertPath: string;
  macaroonPath: string;
}

/** Reads a node's certificate and macaroon. A file that cannot be read is `LndError('bad_config')` naming it. */
export async function readConnection(files: LndFiles): Promise<LndConnection> {
  const read = async (path: string, what: string): Promise<Buffer> => {
    try {
      return await readFile(path);
    } catch (cause) {
      throw new LndError('bad_config', `cannot read ${what} at ${path}: ${(cause as Error).message}`, {
        cause,
      });
    }
  };
  const [tlsCert, macaroon] = await Promise.all([
    read(files.tlsCertPath, 'tls.cert'),
    read(files.macaroonPath, 'macaroon'),
  ]);
  return { restUrl: files.restUrl, tlsCert, macaroon };
}
