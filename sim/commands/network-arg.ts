/**
 * `--backend` and `--network` as `sim run` and the demo take them: one check and one wording for
 * both (each CLI then adds its own pointer to --help, as it does for every usage error).
 */
import { isLabError, LabError } from '../../infra/errors.js';
import { loadNetwork } from '../../infra/regtest/network-file.js';

/** `--backend` beside `--network`: regtest needs a network file, the embedded network takes none. Throws LabError('usage'). */
export function backendArg(backend: string, network: string | undefined): 'embedded' | 'regtest' {
  if (backend !== 'embedded' && backend !== 'regtest')
    throw new LabError('usage', `--backend must be embedded or regtest, got "${backend}"`);
  if (backend === 'regtest' && !network)
    throw new LabError(
      'usage',
      '--backend regtest needs --network <network.json>; bring a network up with `npm run network:up`',
    );
  if (backend === 'embedded' && network !== undefined)
    throw new LabError(
      'usage',
      '--network is for --backend regtest; add --backend regtest, or drop --network',
    );
  return backend;
}

/** Reads --network as the run will, so a missing or invalid file is reported before anything starts. */
export async function checkNetworkFile(path: string): Promise<void> {
  try {
    await loadNetwork(path);
  } catch (err) {
    // A missing file's message already says how to get one.
    if (!isLabError(err, 'invalid', 'invalid_json')) throw err;
    throw new LabError(
      err.code,
      `${err.message}\nfix it, or pass the network.json that \`npm run network:up\` writes (.regtest/network.json)`,
      { cause: err },
    );
  }
}
