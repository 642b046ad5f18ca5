import type { z } from 'zod';
import { LabError } from '../../infra/errors.js';
import { suggestKeys, suggestOption } from './suggest.js';

/** One problem in a scenario file: where (a dotted path such as `buyers[0].policy.params.maxMsat`) and why. */
export interface ScenarioIssue {
  path: string;
  message: string;
}

export type ScenarioErrorCode =
  'not_found' | 'not_yaml' | 'unreadable' | 'bad_yaml' | 'invalid_scenario' | 'bad_override';

/** A scenario that cannot run: a `LabError` whose `issues` list every problem found, each with its path. */
export class ScenarioError extends LabError<ScenarioErrorCode> {
  override name = 'ScenarioError';
  readonly issues: ScenarioIssue[];
  readonly file: string | undefined;

  constructor(
    code: ScenarioErrorCode,
    issues: ScenarioIssue[],
    file?: string,
    options?: { cause?: unknown },
  ) {
    const where = file ? `${file}: ` : '';
    const lines = issues.map((i) => (i.path ? `  ${i.path}: ${i.message}` : `  ${i.message}`));
    super(code, `${where}${describe(code)}\n${lines.join('\n')}`, options);
    this.issues = issues;
    this.file = file;
  }
}

function describe(code: ScenarioErrorCode): string {
  switch (code) {
    case 'not_found':
      return 'scenario not found';
    case 'not_yaml':
      return 'not a scenario file';
    case 'unreadable':
      return 'scenario file cannot be read';
    case 'bad_yaml':
      return 'scenario file is not valid YAML';
    case 'invalid_scenario':
      return 'scenario is invalid';
    case 'bad_override':
      return 'override cannot be applied';
  }
}

/** Formats a path from zod (`['buyers', 0, 'policy']`) the way users write it: `buyers[0].policy`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out;
}

/**
 * The zod error map scenario files are read with: an unknown key names its
 * nearest allowed key (`suggestKeys`), an unknown option of a union its
 * nearest allowed value (`suggestOption`), a missing field says to add it
 * (`required: add policy`), and a value of the wrong type says what was
 * expected and what was given (`expected a number, got "abc"`). Messages a
 * schema words itself are kept.
 */
export const scenarioErrorMap: z.core.$ZodErrorMap = (iss) =>
  suggestKeys(iss) ?? suggestOption(iss) ?? typeMessage(iss);

const EXPECTED: Record<string, string> = {
  number: 'a number',
  int: 'an integer',
  string: 'text',
  boolean: 'true or false',
  object: 'an object (key: value entries)',
  array: 'a list',
};

function typeMessage(iss: z.core.$ZodRawIssue): string | undefined {
  if (iss.code !== 'invalid_type') return undefined;
  if (iss.input === undefined) {
    const key = iss.path?.at(-1);
    return typeof key === 'string' ? `required: add ${key}` : 'required';
  }
  return `expected ${EXPECTED[iss.expected] ?? iss.expected}, got ${given(iss.input)}`;
}

/** A value as a scenario file or `--set` would show it: text quoted, a list or object by its kind. */
function given(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return 'a list';
  if (v !== null && typeof v === 'object') return 'an object';
  return String(v);
}
