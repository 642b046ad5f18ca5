import { describe, expect, it } from 'vitest';
import { applyOverrides, parseOverrideArgs, parsePath } from '../../sim/scenario/overrides.js';
import { parseGridArgs } from '../../sim/sweep/grid.js';
import { sweepCommand } from '../../sim/commands/sweep-command.js';
import { failureExit } from '../../sim/commands/failure.js';
import type { CommandIo } from '../../sim/commands/io.js';
import { queuedJobProblem, type QueuedJob } from '../../sim/sweep/queue-plan.js';

const io: CommandIo = { out: () => {}, err: () => {}, interactive: false, now: () => new Date(0) };
const RESERVED = (key: string) =>
  `"${key}" cannot be a key (no path may contain __proto__, constructor or prototype): ` +
  "use the scenario's own keys, such as buyers[0].budgetMsat";

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  return expect.unreachable('it did not throw');
}

describe('override paths that would reach the object machinery', () => {
  it.each(['__proto__.polluted', 'constructor.prototype.polluted', 'buyers[0].__proto__.x', 'a.prototype'])(
    'refuses %s as a bad_override naming the key, and Object.prototype stays clean',
    (path) => {
      const key = /__proto__|constructor|prototype/.exec(path)![0];
      expect(thrown(() => applyOverrides({ buyers: [{}] }, { [path]: 1 }))).toMatchObject({
        code: 'bad_override',
        issues: [{ path, message: RESERVED(key) }],
      });
      expect(thrown(() => parsePath(path))).toMatchObject({ code: 'bad_override' });
      expect(({} as Record<string, unknown>).polluted).toBe(undefined);
      expect(({} as Record<string, unknown>).x).toBe(undefined);
    },
  );

  it('sets a key a prototype also has (toString) on the document itself, never through the prototype', () => {
    const builtin = Object.prototype.toString;
    const out = applyOverrides({ a: {} }, { 'a.toString.x': 1, 'b.valueOf': 2 });
    expect(JSON.stringify(out)).toBe('{"a":{"toString":{"x":1}},"b":{"valueOf":2}}');
    expect(Object.prototype.toString).toBe(builtin);
    expect(({} as { x?: unknown }).x).toBe(undefined);
  });

  it('refuses --set and --grid with a reserved key as a usage error (exit 2) naming the flag and the key', async () => {
    expect(thrown(() => parseOverrideArgs(['__proto__.polluted=1']))).toMatchObject({
      code: 'usage',
      message: `--set __proto__.polluted=1: ${RESERVED('__proto__')}`,
    });
    expect(thrown(() => parseGridArgs(['constructor.prototype.polluted=1,2']))).toMatchObject({
      code: 'usage',
      message: `--grid constructor.prototype.polluted=1,2: ${RESERVED('constructor')}`,
    });
    const err = await sweepCommand(['quickstart', '--grid', '__proto__.polluted=1,2'], io).catch(
      (e: unknown) => e,
    );
    const printed: string[] = [];
    expect(failureExit('sweep', err, (t) => printed.push(t))).toBe(2);
    expect(printed).toEqual([`--grid __proto__.polluted=1,2: ${RESERVED('__proto__')}`]);
  });

  it('a queued job with a reserved override key is refused by the worker before it runs', () => {
    const job = (overrides: Record<string, unknown>): QueuedJob => ({
      v: 3,
      sweep: 's',
      code: 'c',
      job: { id: 3, scenario: 'x.yaml', textRef: 'a'.repeat(64), overrides, seed: 1 },
    });
    expect(queuedJobProblem(job({ '__proto__.polluted': 1 }), 'c')).toBe(
      `malformed job: override "__proto__.polluted": ${RESERVED('__proto__')}`,
    );
    expect(
      queuedJobProblem(
        JSON.parse(
          `{"v":3,"sweep":"s","code":"c","job":{"id":3,"scenario":"x","textRef":"${'a'.repeat(64)}","seed":1,"overrides":{"__proto__":{"polluted":1}}}}`,
        ),
        'c',
      ),
    ).toBe(`malformed job: override "__proto__": ${RESERVED('__proto__')}`);
    expect(queuedJobProblem(job({ durationSec: 30 }), 'c')).toBe(undefined);
  });
});

describe('a word key on a list', () => {
  const doc = { buyers: [{ name: 'a' }], sellers: [{ tiers: [{ kind: 'single' }] }] };
  it.each([
    ['buyers.length', -1, 'buyers is a list: "length" is not an index; give one, such as buyers[0]'],
    [
      'sellers[0].tiers.length',
      4294967295,
      'sellers[0].tiers is a list: "length" is not an index; give one, such as sellers[0].tiers[0]',
    ],
    ['buyers.x', 5, 'buyers is a list: "x" is not an index; give one, such as buyers[0]'],
    ['buyers.x.y', 5, 'buyers is a list: "x" is not an index; give one, such as buyers[0]'],
  ])(
    '%s=%s is refused as a bad_override naming the list, and the document is unchanged',
    (path, value, message) => {
      expect(thrown(() => applyOverrides(doc, { [path]: value }))).toMatchObject({
        code: 'bad_override',
        issues: [{ path, message }],
      });
      expect(doc).toEqual({ buyers: [{ name: 'a' }], sellers: [{ tiers: [{ kind: 'single' }] }] });
    },
  );
});
