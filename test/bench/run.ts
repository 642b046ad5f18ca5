/**
 * Runs the benchmarks: `npm run bench` (all) or `npm run bench -- l402 simnet`.
 * Each `test/bench/<name>.bench.ts` is a script that prints its own table.
 */
import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const all = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .map((f) => f.replace(/\.bench\.ts$/, ''))
  .sort();
if (args.includes('--help') || args.includes('-h')) {
  console.log(
    [
      'usage: npm run bench [-- <name> ...]',
      '',
      'Runs test/bench/<name>.bench.ts (all when no name is given).',
      `benchmarks: ${all.join(', ')}`,
    ].join('\n'),
  );
  process.exit(0);
}
const unknown = args.filter((a) => !all.includes(a));
if (unknown.length) {
  console.error(`unknown benchmark(s): ${unknown.join(', ')}; available: ${all.join(', ')}`);
  process.exit(2);
}
let failed = 0;
for (const name of args.length ? args : all) {
  console.log(`\n# ${name}`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--expose-gc', join(dir, `${name}.bench.ts`)], {
    stdio: 'inherit',
  });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
