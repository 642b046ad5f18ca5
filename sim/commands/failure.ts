import { ScenarioError } from '../scenario/errors.js';
import { isLabError } from '../../infra/errors.js';
import { parseArgsError } from '../../infra/cli-options.js';
import type { ExitCode } from './io.js';
import { terminalSafeLines } from '../../infra/terminal-text.js';

/**
 * How the command line reports an error a command threw: usage errors exit
 * 2, everything the user can act on exits 1 with what to do, and only a bug
 * (an error without a code) is rethrown with its stack. A message repeats what
 * the user gave (a scenario's keys and values, a run file's text), so each of
 * its lines is printed `terminalSafe`: an escape sequence shows as text.
 */
export function failureExit(command: string, err: unknown, printRaw: (text: string) => void): ExitCode {
  const print = (text: string) => printRaw(terminalSafeLines(text));
  if (isLabError(err, 'usage')) {
    print(err.message);
    return 2;
  }
  if (err instanceof ScenarioError) {
    const hint = scenarioHint(command, err);
    print(hint ? `${err.message}\n\n${hint}` : err.message);
    return 1;
  }
  if (err instanceof Error && 'code' in err && typeof err.code === 'string') {
    // parseArgs errors (unknown option, missing value) are usage errors too.
    if (err.code.startsWith('ERR_PARSE_ARGS')) {
      print(parseArgsError(err).message);
      return 2;
    }
    print(`error (${err.code}): ${err.message}`);
    return 1;
  }
  throw err;
}

const VALIDATE = '`npm run sim -- validate <file>` checks without running.';

/** What to do next, fitting the command (only run and sweep take --set, only sweep --grid). */
function scenarioHint(command: string, err: ScenarioError): string | undefined {
  const values =
    command === 'sweep' ? '--set or --grid value' : command === 'run' ? '--set value' : undefined;
  switch (err.code) {
    case 'bad_yaml':
    case 'invalid_scenario':
      return values
        ? `fix the file (or the ${values}) and try again; ${VALIDATE}`
        : 'fix the file and try again.';
    case 'bad_override':
      return values && `fix the ${values} and try again.`;
    default:
      // not_found, not_yaml, is_directory, unreadable: the message itself says what to do.
      return undefined;
  }
}
