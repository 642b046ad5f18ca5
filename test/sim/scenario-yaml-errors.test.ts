/**
 * Scenario YAML the parser refuses is one issue a line, never a stack trace: a document nested
 * thousands of levels deep exhausted the parser's stack (an uncaught RangeError), and a YAML error
 * repeated its position (`line 10, column 1: Map keys must be unique at line 10, column 1:`).
 */
import { describe, expect, it } from 'vitest';
import { parseScenarioText } from '../../sim/scenario/load.js';
import { MAX_NESTING } from '../../sim/scenario/yaml-text.js';

const TOO_DEEP = 'nested too deeply: a scenario nests lists and maps at most 64 levels deep';

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  return expect.unreachable('it did not throw');
}

describe('deeply nested YAML', () => {
  it.each([
    ['a block sequence 5,000 levels deep', `extra:\n  ${'- '.repeat(5000)}x\n`, ''],
    [
      'block maps 2,000 levels deep',
      `${Array.from({ length: 2000 }, (_, i) => `${' '.repeat(i)}a:`).join('\n')} 1\n`,
      '',
    ],
    [
      'a flow sequence 5,000 levels deep',
      `extra: ${'['.repeat(5000)}${']'.repeat(5000)}\n`,
      'line 1, column ',
    ],
  ])('%s is one bad_yaml issue, not a RangeError', (_, text, where) => {
    const e = thrown(() => parseScenarioText(text, 'deep.yaml')) as { code: string; issues: unknown[] };
    expect(e).toMatchObject({ code: 'bad_yaml' });
    expect(e.issues).toHaveLength(1);
    expect(e.issues[0]).toMatchObject({ message: TOO_DEEP });
    expect((e.issues[0] as { path: string }).path.startsWith(where)).toBe(true);
  });

  it('64 levels of lists parse; 65 are refused as nested too deeply', () => {
    expect(MAX_NESTING).toBe(64);
    const nested = (levels: number) => `extra: ${'['.repeat(levels - 1)}${']'.repeat(levels - 1)}\n`;
    expect(parseScenarioText(nested(64))).toEqual({
      extra: JSON.parse(`${'['.repeat(63)}${']'.repeat(63)}`),
    });
    expect(thrown(() => parseScenarioText(nested(65), 'deep.yaml'))).toMatchObject({
      code: 'bad_yaml',
      message: `deep.yaml: scenario file is not valid YAML\n  ${TOO_DEEP}`,
      issues: [{ path: '', message: TOO_DEEP }],
    });
  });
});

describe('a YAML error', () => {
  it('names its position once: a duplicate key is "line 2, column 1: Map keys must be unique"', () => {
    expect(thrown(() => parseScenarioText('seed: 1\nseed: 2\n', 'dup.yaml'))).toMatchObject({
      code: 'bad_yaml',
      message: 'dup.yaml: scenario file is not valid YAML\n  line 2, column 1: Map keys must be unique',
      issues: [{ path: 'line 2, column 1', message: 'Map keys must be unique' }],
    });
  });
});
