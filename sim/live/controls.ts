import { z } from 'zod';
import { nearest } from '../../infra/suggest.js';
import { describeIssues, plainErrorMap } from '../../infra/zod-wording.js';
import { MAX_SPEED, MIN_SPEED } from './paced-clock.js';

/** Largest control message accepted (bytes); anything bigger is refused unread. */
export const MAX_CONTROL_BYTES = 4096;

const name = z.string().min(1).max(200);
/**
 * A price: its own bounds checked before `int()`, and stopping there when
 * crossed, so 1e300 is refused with 1,000,000,000 alone, not also with the
 * safe-integer bound `int()` adds. 0 is what the page sends for an empty
 * price field: the answer says a price is needed.
 */
const msat = z
  .number()
  .min(1, { abort: true, error: (iss) => (iss.input === 0 ? 'a price is needed, at least 1' : undefined) })
  .max(1_000_000_000, { abort: true })
  .int();

/** What a presenter can ask of the market (or of a replay). */
export const controlSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('pause') }).strict(),
  z.object({ type: z.literal('resume') }).strict(),
  z.object({ type: z.literal('speed'), speed: z.number().min(MIN_SPEED).max(MAX_SPEED) }).strict(),
  z.object({ type: z.literal('seller_offline'), seller: name, offline: z.boolean() }).strict(),
  z.object({ type: z.literal('node_offline'), node: name, offline: z.boolean() }).strict(),
  z.object({ type: z.literal('drain'), node: name, fraction: z.number().gt(0).max(1) }).strict(),
  z.object({ type: z.literal('price'), seller: name, msat }).strict(),
  z.object({ type: z.literal('seek'), tMs: z.number().int().min(0) }).strict(),
]);

export type Control = z.infer<typeof controlSchema>;

/** Why a control was refused; nothing changed. */
export interface ControlError {
  ok: false;
  code:
    | 'too_large'
    | 'bad_json'
    | 'bad_message'
    | 'unknown_seller'
    | 'unknown_node'
    | 'repricing_seller'
    | 'busy'
    | 'not_supported'
    | 'unchanged'
    | 'finished';
  message: string;
}

export type ControlResult = { ok: true; applied: Control['type'] } | ControlError;

/** Something the controls act on: the live market or a replay. */
export interface ControlTarget {
  apply(c: Control): Promise<ControlResult>;
}

/** Parses one control message from the socket; a refusal names the problem (each bad field, the first five). */
export function parseControl(text: string): { ok: true; control: Control } | ControlError {
  if (Buffer.byteLength(text) > MAX_CONTROL_BYTES)
    return {
      ok: false,
      code: 'too_large',
      message: `control messages are at most ${MAX_CONTROL_BYTES} bytes`,
    };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, code: 'bad_json', message: 'control message is not JSON' };
  }
  const r = controlSchema.safeParse(json, { error: plainErrorMap });
  if (!r.success)
    return { ok: false, code: 'bad_message', message: describeIssues(r.error.issues, { whole: 'message' }) };
  return { ok: true, control: r.data };
}

export function refuse(code: ControlError['code'], message: string): ControlError {
  return { ok: false, code, message };
}

/** Names listed in a refusal of an unknown one, at most. */
const NAMES_SHOWN = 5;

/** `no seller named "x"`, with the nearest name when it looks like a typo, and the names there are. */
export function unknownName(kind: string, name: string, names: readonly string[]): string {
  const hint = nearest(name, names);
  const shown = names.slice(0, NAMES_SHOWN).join(', ');
  const more = names.length > NAMES_SHOWN ? `, … (${names.length} in all)` : '';
  const known = names.length ? `; this market's ${kind}s: ${shown}${more}` : `; this market has no ${kind}s`;
  return `no ${kind} named "${name}"${hint ? ` (did you mean "${hint}"?)` : ''}${known}`;
}
