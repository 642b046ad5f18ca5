/**
 * Entry point: an lnget-like L402 fetch through a real LND node.
 *
 *   npm run l402 -- fetch <url> [--node buyer-1] [--network .regtest/network.json]
 *        [--max-price-msat 1000000] [--max-fee-msat N] [--method GET] [--data BODY]
 *        [--header 'k: v' …] [--tokens ~/.cache/l402-lab/tokens.json] [--pay-on-success] [--json]
 *        [--show-token]
 *
 * The body goes to stdout; the purchase record (outcome, amounts, timings, the
 * token's payment hash and calls left; the token itself only with --show-token)
 * to stderr. Exit code 0 on success, 1 on a refused or failed purchase, 2 on bad
 * usage (checked in cli-args.ts before anything loads or connects).
 */
import { isLabError } from '../infra/errors.js';
import { HELP, l402Args } from './cli-args.js';
import { ignoreClosedStdout } from '../infra/closed-stdout.js';

ignoreClosedStdout();

async function main(argv: string[]): Promise<number> {
  const req = l402Args(argv);
  if (req === 'help') {
    console.log(HELP);
    return 0;
  }
  // The client, LND and the policies load only once the arguments are known good.
  const { runFetch } = await import('./cli-fetch.js');
  return runFetch(req, {
    body: (bytes) => process.stdout.write(bytes),
    err: (line) => console.error(line),
  });
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (isLabError(err, 'usage')) {
      console.error(err.message);
      process.exit(2);
    }
    console.error(`l402 fetch failed: ${(err as Error)?.message ?? err}`);
    process.exit(1);
  },
);
