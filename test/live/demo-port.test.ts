/**
 * The demo's page listens on 8400 by default, not on the registry's 8402, so
 * `npm run demo` and `npm run registry` run side by side with no flags.
 */
import { describe, expect, it } from 'vitest';
import { DEMO_PORT, HELP, parseDemoArgs } from '../../sim/live/demo-args.js';

describe("the demo's default port", () => {
  it('is 8400 with no --port, live or replay, and --help says so', () => {
    expect([DEMO_PORT, parseDemoArgs([]).port, parseDemoArgs(['--replay', 'runs/x']).port]).toEqual([
      8400, 8400, 8400,
    ]);
    expect(HELP).toContain('  --port N           port of the page (default 8400; 0 picks a free one)\n');
  });
});
