/**
 * A standalone seller on a real socket: `npm run seller -- --archetype data-feed --port 7402`.
 * Embedded Lightning by default; `--network <network.json>` runs it on a regtest LND node.
 * Every flag is checked (cli-args.ts) before anything loads or starts: usage
 * errors exit 2, other failures 1.
 */
import { isLabError } from '../../infra/errors.js';
import { listenRefusal } from '../http/host-refusal.js';
import { sellerArgs, USAGE } from './cli-args.js';
import { ignoreClosedStdout } from '../../infra/closed-stdout.js';

ignoreClosedStdout();

async function main(): Promise<void> {
  const args = await sellerArgs(process.argv.slice(2));
  if (args === 'help') return void console.log(USAGE);
  // The seller and its Lightning network load only once the flags are known good.
  const { runSeller } = await import('./cli-run.js');
  try {
    await runSeller(args, { out: (line) => console.log(line), err: (line) => console.error(line) });
  } catch (err) {
    const refusal = listenRefusal(err, args.port, args.host);
    if (refusal === undefined) throw err;
    console.error(refusal);
    process.exit(1);
  }
}

main().catch((err: unknown) => {
  if (isLabError(err, 'usage')) {
    console.error(err.message);
    process.exit(2);
  }
  console.error(`seller failed: ${(err as Error).message}`);
  process.exit(1);
});
