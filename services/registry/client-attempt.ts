/**
 * One attempt of a `RegistryClient` call: the request, its answer and body
 * within what is left of the call's time limit, and what the answer says.
 * Redirects are not followed (infra/http/redirect.ts): a 3xx fails as
 * `redirect`, naming where it pointed.
 */
import { readBody } from '../../infra/http/bounded-body.js';
import { isRedirect, NO_REDIRECTS, redirectRefusal } from '../../infra/http/redirect.js';
import type { Clock } from '../../infra/time/clock.js';
import type { ClientFailure, ClientResult } from './client.js';
import { retryAfterMs } from './client-retry.js';

/** What an attempt needs of the client's options. */
export interface AttemptOptions {
  baseUrl: string;
  fetch: (req: Request) => Promise<Response>;
  clock: Clock;
  maxResponseBytes: number;
}

/** One call's time limit: `ms` on the client's clock, ending at `deadline`; `late` resolves then. */
export interface CallLimit {
  ms: number;
  deadline: number;
  late: Promise<void>;
}

/** What a successful attempt answered: its JSON body, for the call to check. */
export type Answered = ClientResult<{ answer: unknown }>;

/** One attempt's result, and the Retry-After (ms) of an answer that was not a success. */
export interface Attempt {
  result: Answered;
  retryAfter?: number;
}

/** Sends `method path` (with `body` as JSON, if any) once, within `limit`. */
export async function attempt(
  o: AttemptOptions,
  request: { method: string; path: string; body: unknown },
  limit: CallLimit,
): Promise<Attempt> {
  const abort = new AbortController();
  const { method, path, body } = request;
  const req = new Request(new URL(path, o.baseUrl), {
    method,
    signal: abort.signal,
    ...NO_REDIRECTS,
    ...(body !== undefined
      ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }
      : {}),
  });
  const answer = await answerBefore(o.fetch(req), limit.late, abort, limit.ms);
  if (!answer.ok) return { result: failure(0, answer.timedOut ? 'timeout' : 'unreachable', answer.message) };
  const res = answer.value;
  const retryAfter = res.ok ? undefined : retryAfterMs(res.headers.get('retry-after'), o.clock.now());
  return { result: await readAnswer(o, req, res, limit), retryAfter };
}

/**
 * The answer `res` to `req`, its body read within what is left of the call's time limit. A success
 * must be JSON said to be JSON (`application/json`): a page of another type (an HTML page from a
 * gateway or a hostile host) is no registry's answer, whatever its bytes parse as.
 */
async function readAnswer(
  o: AttemptOptions,
  req: Request,
  res: Response,
  limit: CallLimit,
): Promise<Answered> {
  if (isRedirect(res.status)) {
    await res.body?.cancel().catch(() => {});
    const advice = "point the client at the registry's final URL";
    return failure(res.status, 'redirect', redirectRefusal('registry', res, req.url, advice));
  }
  const left = { clock: o.clock, ms: Math.max(0, limit.deadline - o.clock.now()) };
  const read = await readBody(res, o.maxResponseBytes, left);
  if (!read.ok) return failure(res.status, read.problem, bodyProblem(read.problem, res.status));
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(read.bytes));
  } catch {
    return failure(res.status, 'bad_response', `registry answered ${res.status} without JSON`);
  }
  const obj = (json ?? {}) as Record<string, unknown>;
  if (!res.ok)
    return failure(
      res.status,
      typeof obj.error === 'string' ? obj.error : 'http_error',
      typeof obj.message === 'string' ? obj.message : `HTTP ${res.status}`,
    );
  const type = res.headers.get('content-type');
  if (!isJsonType(type))
    return failure(
      res.status,
      'bad_response',
      `registry answered ${res.status} with content-type ${type ?? '(none)'}, not application/json`,
    );
  return { ok: true, answer: json };
}

/** Whether a Content-Type names JSON: `application/json` or `application/<x>+json`, any parameters. */
function isJsonType(type: string | null): boolean {
  const media = type?.split(';')[0]!.trim().toLowerCase() ?? '';
  return media === 'application/json' || /^application\/[a-z0-9.!#$&^_-]+\+json$/.test(media);
}

/** A failed call's outcome. */
export function failure(status: number, code: string, message: string): ClientFailure {
  return { ok: false, status, code, message };
}

function bodyProblem(problem: 'too_large' | 'too_slow' | 'unreadable', status: number): string {
  if (problem === 'too_large') return `registry answered ${status} with a body over the size limit`;
  if (problem === 'too_slow')
    return `registry answered ${status} but its body did not arrive within the time limit`;
  return `registry answered ${status} with an unreadable body`;
}

/** The fetch's answer if it comes before `late` resolves, or why not; once late, the request is aborted. */
async function answerBefore(
  answer: Promise<Response>,
  late: Promise<void>,
  abort: AbortController,
  ms: number,
): Promise<{ ok: true; value: Response } | { ok: false; timedOut: boolean; message: string }> {
  try {
    const first = await Promise.race([answer, late.then(() => 'late' as const)]);
    if (first !== 'late') return { ok: true, value: first };
    abort.abort();
    answer.catch(() => {}); // its rejection after the abort is expected
    return { ok: false, timedOut: true, message: `registry did not answer within ${ms} ms; retry later` };
  } catch (err) {
    return { ok: false, timedOut: false, message: `registry unreachable: ${(err as Error).message}` };
  }
}
