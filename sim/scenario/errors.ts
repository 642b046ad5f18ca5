import type { z } from 'zod';
import { LabError } from '../../infra/errors.js';
import { plainErrorMap } from '../../infra/zod-wording.js';

/** One problem in a scenario file: where (a dotted path such as `buyers[0].policy.params.maxMsat`) and why. */
export interface ScenarioIssue {
  path: string;
  message: string;
}

export type ScenarioErrorCode =
  'not_found' | 'not_yaml' | 'is_directory' | 'unreadable' | 'bad_yaml' | 'invalid_scenario' | 'bad_override';

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
    case 'is_directory':
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

export { formatPath } from '../../infra/zod-wording.js';

/**
 * The zod error map scenario files are read with: the plain wording of
 * `plainErrorMap` (infra/zod-wording.ts), shared with the policies agents
 * build from declarations. Messages a schema words itself are kept.
 */
export const scenarioErrorMap: z.core.$ZodErrorMap = plainErrorMap;
