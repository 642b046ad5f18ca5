import { parseDocument } from 'yaml';
import { ScenarioError, type ScenarioIssue } from './errors.js';

/**
 * Scenario YAML text to a plain document, within bounds: a syntax error is an issue at its line and
 * column, a document nested past `MAX_NESTING` levels (which would exhaust the parser's stack, or
 * any later step's) and an alias expanding past the parser's limit are refused as `bad_yaml`.
 */

/**
 * Deepest nesting of lists and maps a scenario may have. The shipped scenarios nest under 10
 * levels; a few thousand exhausted the YAML parser's stack (a RangeError, not an issue).
 */
export const MAX_NESTING = 64;

const TOO_DEEP = `nested too deeply: a scenario nests lists and maps at most ${MAX_NESTING} levels deep`;

/** A YAML error's first line without its trailing ` at line N, column M:` (the issue names the position). */
export function yamlReason(message: string): string {
  return message.split('\n')[0]!.replace(/\s*at line \d+, column \d+:?$/, '');
}

const isStackOverflow = (e: unknown) => e instanceof RangeError && /call stack/i.test(e.message);

/** Parses YAML text into a plain document; syntax errors carry line and column. */
export function parseScenarioText(text: string, file?: string): unknown {
  const fail = (issues: ScenarioIssue[], cause?: unknown) =>
    new ScenarioError('bad_yaml', issues, file, cause === undefined ? undefined : { cause });
  let doc;
  try {
    doc = parseDocument(text, { prettyErrors: true });
  } catch (cause) {
    if (isStackOverflow(cause)) throw fail([{ path: '', message: TOO_DEEP }], cause);
    throw cause;
  }
  if (doc.errors.length) {
    // Past the parser's stack, the errors that follow are its fallout: report the first overflow alone.
    const overflow = doc.errors.find((e) => /call stack/i.test(e.message));
    throw fail(
      (overflow ? [overflow] : doc.errors).map((e) => ({
        path: e.linePos?.[0] ? `line ${e.linePos[0].line}, column ${e.linePos[0].col}` : '',
        message: overflow ? TOO_DEEP : yamlReason(e.message),
      })),
    );
  }
  let out: unknown;
  try {
    out = doc.toJS() as unknown;
  } catch (cause) {
    if (isStackOverflow(cause)) throw fail([{ path: '', message: TOO_DEEP }], cause);
    // Well-formed YAML can still be refused when read: an alias expanding past the limit (an "alias bomb").
    const message = cause instanceof Error ? cause.message : String(cause);
    throw fail(
      [{ path: '', message: `${message}; write the values out instead of through so many aliases (*name)` }],
      cause,
    );
  }
  if (nesting(out) > MAX_NESTING) throw fail([{ path: '', message: TOO_DEEP }]);
  return out;
}

/** How many levels of lists and maps `value` nests (0 for a scalar), counted without recursion, stopping past the limit. */
function nesting(value: unknown): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    deepest = Math.max(deepest, depth + 1);
    if (deepest > MAX_NESTING) return deepest;
    for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
  return deepest;
}
