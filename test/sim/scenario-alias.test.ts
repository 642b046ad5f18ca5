/** YAML that parses but cannot be read into a document (an alias bomb) is a scenario error naming the file. */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadScenario } from '../../sim/scenario/load.js';

describe('a YAML alias bomb', () => {
  it('is refused as bad_yaml naming the file, not an uncaught ReferenceError', () => {
    const levels = Array.from({ length: 6 }, (_, i) =>
      i === 0
        ? 'a0: &a0 [x,x,x,x,x,x,x,x,x,x]'
        : `a${i}: &a${i} [${Array(10)
            .fill(`*a${i - 1}`)
            .join(',')}]`,
    );
    const file = join(mkdtempSync(join(tmpdir(), 'alias-bomb-')), 'bomb.yaml');
    writeFileSync(file, levels.join('\n') + '\n');
    expect(() => loadScenario(file)).toThrow(
      expect.objectContaining({
        code: 'bad_yaml',
        message: `${file}: scenario file is not valid YAML\n  Excessive alias count indicates a resource exhaustion attack; write the values out instead of through so many aliases (*name)`,
      }),
    );
  });
});
