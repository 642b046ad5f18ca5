/**
 * `npm run sim:golden`: reruns every golden case, prints what changed in
 * each summary (`path: old → new`) and rewrites test/sim/golden/*.json.
 * `npm run sim:golden -- --check` only prints the differences (exit 1 if any).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { summaryJson } from '../../sim/report/write-run.js';
import { GOLDEN_CASES, goldenPath, jsonDiff, readGolden, runCase } from './golden-cases.js';

const check = process.argv.includes('--check');
const onlyAt = process.argv.indexOf('--only');
const only = onlyAt > 0 ? process.argv[onlyAt + 1] : undefined;
if (process.argv.includes('--help') || process.argv.includes('-h')) {
  process.stdout.write(
    'usage: npm run sim:golden [-- --check] [-- --only SCENARIO]\n\nReruns the golden scenarios and rewrites test/sim/golden/*.json (--check: only report differences; --only: one scenario).\n',
  );
  process.exit(0);
}
let changed = 0;
for (const c of GOLDEN_CASES.filter((x) => only === undefined || x.scenario === only)) {
  const { summary } = await runCase(c);
  const text = summaryJson(summary);
  const old = readGolden(c);
  const label = `${c.scenario}${c.tag ? ` (${c.tag})` : ''} seed ${c.seed}`;
  if (old === text) {
    process.stdout.write(`${label}: unchanged\n`);
    continue;
  }
  changed++;
  const lines = old === undefined ? ['(new golden file)'] : jsonDiff(JSON.parse(old), summary);
  process.stdout.write(`${label}: ${lines.length} change(s)\n${lines.map((l) => `  ${l}`).join('\n')}\n`);
  if (!check) {
    mkdirSync(dirname(goldenPath(c)), { recursive: true });
    writeFileSync(goldenPath(c), text);
  }
}
process.stdout.write(
  changed === 0
    ? 'golden summaries match\n'
    : check
      ? `${changed} golden file(s) differ\n`
      : `${changed} golden file(s) rewritten: review the diff before committing\n`,
);
process.exit(check && changed ? 1 : 0);
