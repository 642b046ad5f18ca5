/** `npm run registry -- --help` names every search order, tier and kind sold the server accepts, read from the query schema itself, and every flag. */
import { describe, expect, it } from 'vitest';
import { querySchema } from '../../services/registry/schema.js';
import { runCli } from '../cli/run-cli.js';

describe('registry CLI --help', () => {
  it('lists every sort and ties value of the GET /listings query schema', async () => {
    const sorts = querySchema.shape.sort.unwrap().options;
    const ties = querySchema.shape.ties.unwrap().options;
    const r = await runCli('services/registry/cli.ts', ['--help']);
    expect(r.code).toBe(0);
    const usage = r.stdout.replace(/\s+/g, '');
    expect(usage).toContain(`&sort=${sorts.join('|')}&ties=${ties.join('|')}&`);
  });

  it('lists every tier value of the GET /listings query schema', async () => {
    const tiers = querySchema.shape.tier.unwrap().options;
    const r = await runCli('services/registry/cli.ts', ['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout.replace(/\s+/g, '')).toContain(`&tier=${tiers.join('|')}&`);
  });

  it('lists every sells value of the GET /listings query schema', async () => {
    const kinds = querySchema.shape.sells.unwrap().options;
    const r = await runCli('services/registry/cli.ts', ['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout.replace(/\s+/g, '')).toContain(`&sells=${kinds.join('|')}&`);
  });

  it('lists the name resolution flags', async () => {
    const r = await runCli('services/registry/cli.ts', ['--help']);
    const flags = r.stdout.split('\n').map((l) => /^ {2}(--[a-z-]+)/.exec(l)?.[1]);
    expect(flags.filter((f) => f === '--nameserver' || f === '--max-resolving')).toEqual([
      '--nameserver',
      '--max-resolving',
    ]);
  });
});
