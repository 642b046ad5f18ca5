import { parseArgs } from 'node:util';
import { reachWarnings } from '../scenario/reach.js';
import { loadScenario } from '../scenario/load.js';
import { checksFor } from '../market/checks.js';
import { type CommandIo, type ExitCode } from './io.js';
import { LabError } from '../../infra/errors.js';
import { refuseEmptyOptions } from '../../infra/cli-options.js';

export const VALIDATE_HELP = `usage: sim validate <scenario|file.yaml> [--backend embedded|regtest]

Checks a scenario file without running it: the schema, cross references
(capabilities, node names in faults), payment policy parameters, and that
what it uses runs on the backend (default embedded, where LLM deciders and
negotiators cannot run). Prints every problem as path: reason, e.g.
  buyers[0].policy.params.maxMsat: must be a non-negative integer number of msat`;

/** `sim validate`: 0 when valid, 1 with every issue listed otherwise (the ScenarioError is rethrown to the CLI). */
export async function validateCommand(argv: string[], io: CommandIo): Promise<ExitCode> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      backend: { type: 'string', default: 'embedded' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  refuseEmptyOptions(values);
  if (values.help) {
    io.out(VALIDATE_HELP);
    return 0;
  }
  if (positionals.length !== 1 || !positionals[0])
    throw new LabError('usage', `expected one scenario name or file\n\n${VALIDATE_HELP}`);
  const backend = values.backend;
  if (backend !== 'embedded' && backend !== 'regtest')
    throw new LabError('usage', `--backend must be embedded or regtest, got "${backend}"`);
  const s = loadScenario(positionals[0]!, { checks: checksFor(backend) });
  const agents = s.buyers.reduce((a, b) => a + b.count, 0);
  const sellers = s.sellers.reduce((a, b) => a + b.count, 0);
  io.out(
    `ok: ${s.name}: ${sellers} sellers, ${agents} buyers, ${s.resellers.length} reseller groups, ${s.faults.length} faults, ${s.durationSec} s`,
  );
  for (const w of reachWarnings(s)) io.out(`warning: ${w}`);
  return 0;
}
