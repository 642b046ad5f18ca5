/**
 * Child process for the regtest benchmark: sends authorized GETs to one URL
 * on keep-alive connections for a fixed time, as many at once as there are
 * connections, and prints `{ ok, bad, statuses, ms }` as JSON. A separate
 * process, so the load generator does not share an event loop (or a core's
 * time slice) with the server under test.
 *
 *   node --import tsx test/regtest/support/load-child.ts <url> <authorization> <connections> <ms>
 */
import { Pool } from 'undici';

const [url, authorization, connections, durationMs] = process.argv.slice(2);
if (!url || authorization === undefined || !connections || !durationMs) {
  process.stderr.write('usage: load-child.ts <url> <authorization> <connections> <ms>\n');
  process.exit(2);
}
const target = new URL(url);
const width = Number(connections);
const pool = new Pool(target.origin, { connections: width });
const statuses: Record<number, number> = {};
let ok = 0;
let bad = 0;
const start = performance.now();
const until = start + Number(durationMs);

async function loop(): Promise<void> {
  while (performance.now() < until) {
    const res = await pool.request({
      path: target.pathname + target.search,
      method: 'GET',
      headers: authorization ? { authorization } : {},
    });
    await res.body.dump();
    if (res.statusCode === 200) ok++;
    else {
      bad++;
      statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
    }
  }
}

await Promise.all(Array.from({ length: width }, loop));
const ms = performance.now() - start;
await pool.close();
process.stdout.write(JSON.stringify({ ok, bad, statuses, ms }));
