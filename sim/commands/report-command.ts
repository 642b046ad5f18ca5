import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { writeReport } from '../report/write-run.js';
import { readMeta, readSummary } from '../report/read-run.js';
import { consoleSummary } from '../report/console.js';
import { type CommandIo, type ExitCode } from './io.js';
import { LabError } from '../../infra/errors.js';
import { parseArgsOnce, refuseEmptyOptions } from '../../infra/cli-options.js';

export const REPORT_HELP = `usage: sim report <run dir> [--no-png]

Regenerates report.html (and charts/*.png) of a finished run from its
summary.json, e.g. after upgrading the report code. Prints the console summary.`;

/** `sim report`: redraws a run's report from its files. */
export async function reportCommand(argv: string[], io: CommandIo): Promise<ExitCode> {
  const { values, positionals } = parseArgsOnce({
    args: argv,
    allowPositionals: true,
    options: {
      help: { type: 'boolean', short: 'h', default: false },
      'no-png': { type: 'boolean', default: false },
    },
  });
  refuseEmptyOptions(values);
  if (values.help) {
    io.out(REPORT_HELP);
    return 0;
  }
  if (positionals.length !== 1 || !positionals[0])
    throw new LabError('usage', `expected one run directory\n\n${REPORT_HELP}`);
  const dir = resolve(positionals[0]!);
  if (statSync(dir, { throwIfNoEntry: false })?.isDirectory() === false)
    throw new LabError(
      'usage',
      `${dir} is not a directory; give the run directory that holds it: sim report ${dirname(dir)}`,
    );
  if (!existsSync(join(dir, 'summary.json')))
    throw new LabError(
      'usage',
      `${dir} has no summary.json; give the --out directory of a finished run (default runs/<scenario>-<seed>/)`,
    );
  const summary = readSummary(dir);
  const meta = readMeta(dir);
  const path = await writeReport(dir, summary, { png: !values['no-png'], ...(meta && { meta }) });
  io.out(consoleSummary(summary, meta));
  io.out(`\nreport: ${path}`);
  return 0;
}
