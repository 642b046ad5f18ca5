import { LabError } from '../../infra/errors.js';

/** Text a scenario file (YAML) or `--set seed=…` reads as a number: 1.0, 1e3, +5, 0x10, .inf. */
const NUMBER_LIKE = /^([-+]?(\.\d+|\d+(\.\d*)?)(e[-+]?\d+)?|0x[\da-f]+|0o[0-7]+|[-+]?\.inf|\.nan)$/i;

/**
 * `--seed` (of `sim run` and the demo): an exact integer, or text.
 * Numeric-looking text that is not a plain integer is refused: the file and
 * `--set seed=` read `1.0` as seed 1, so taking it as the text seed "1.0"
 * here would silently run another market. Throws LabError('usage', …).
 */
export function seedArg(text: string): string | number {
  if (NUMBER_LIKE.test(text) && !/^-?\d+$/.test(text)) throw numberLikeSeed(text);
  if (!/^-?\d+$/.test(text)) return text;
  const n = Number(text);
  if (!Number.isSafeInteger(n))
    throw new LabError(
      'usage',
      `--seed ${text} is not an integer a run can use exactly (at most ${Number.MAX_SAFE_INTEGER} in size); give a smaller integer, or text such as --seed s${text}`,
    );
  return n;
}

function numberLikeSeed(text: string): LabError<'usage'> {
  const n = Number(text);
  const reads = Number.isFinite(n) ? ` (a scenario file reads it as ${n})` : '';
  const integer = Number.isSafeInteger(n) ? `--seed ${n}` : 'an integer';
  return new LabError(
    'usage',
    `--seed ${text} looks like a number but is not a plain integer${reads}; give ${integer}, or, if you meant a text seed, text such as --seed s${text}`,
  );
}
