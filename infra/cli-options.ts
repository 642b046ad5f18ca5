/**
 * Checks shared by every command line, on the values `node:util` `parseArgs`
 * returns. parseArgs takes `--host ""` as a value; an empty option is never
 * what a user meant (an empty host listens on every interface, an empty
 * number reads as 0), so each CLI refuses it as a usage error (exit 2).
 */
import { LabError } from './errors.js';

/** Throws a `usage` LabError naming the first option given as an empty string. */
export function refuseEmptyOptions(values: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(values)) {
    if (value === '' || (Array.isArray(value) && value.includes('')))
      throw new LabError('usage', `--${key} must not be empty; run with --help for the options`);
  }
}
