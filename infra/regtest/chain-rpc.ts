import { errors, request, type Agent } from 'undici';
import { LabError } from '../errors.js';

/** Why a JSON-RPC call to the bitcoin node failed. */
export type ChainRpcErrorCode = 'unreachable' | 'timeout' | 'unauthorized' | 'rpc_error' | 'bad_response';

/** How long and how much the bitcoin node may answer. */
export interface ChainRpcLimits {
  /** Most ms for the answer's headers, and between two pieces of its body (default 30 s). */
  callTimeoutMs: number;
  /** Most ms for mining (`generate` on btcd builds the blocks before it answers; default 5 min). */
  mineTimeoutMs: number;
  /** Most bytes of one answer (default 4 MiB, as the LND client's `maxBodyBytes`). */
  maxBodyBytes: number;
}

export const defaultChainRpcLimits: ChainRpcLimits = {
  callTimeoutMs: 30_000,
  mineTimeoutMs: 300_000,
  maxBodyBytes: 4 * 1024 * 1024,
};

/** One call: where it goes, how (agent, auth), the JSON-RPC method, and its limits. */
export interface RpcRequest {
  backend: string;
  url: string;
  agent: Agent;
  auth: string;
  method: string;
  body: string;
  timeoutMs: number;
  maxBodyBytes: number;
}

const timedOut = (err: unknown): boolean =>
  err instanceof errors.HeadersTimeoutError || err instanceof errors.BodyTimeoutError;

/** The failure of a call that got no whole answer: a timeout or an unreachable node. */
function noAnswer(r: RpcRequest, cause: unknown): LabError<ChainRpcErrorCode> {
  if (cause instanceof LabError) return cause as LabError<ChainRpcErrorCode>;
  if (timedOut(cause))
    return new LabError(
      'timeout',
      `${r.backend} at ${r.url} did not answer ${r.method} within ${r.timeoutMs / 1000} s; ` +
        'check that the node runs and is not stuck (its log)',
      { cause },
    );
  return new LabError('unreachable', `${r.backend} at ${r.url} did not answer ${r.method}`, { cause });
}

/** The answer's body as text, at most `r.maxBodyBytes`; a longer one is not read. */
async function readCapped(body: AsyncIterable<unknown>, r: RpcRequest): Promise<string> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk as Uint8Array);
    size += bytes.byteLength;
    if (size > r.maxBodyBytes)
      throw new LabError(
        'bad_response',
        `${r.backend} ${r.method}: the answer is over ${r.maxBodyBytes} bytes; it was not read. ` +
          `Check that ${r.url} is the node's RPC address`,
      );
    parts.push(bytes);
  }
  return Buffer.concat(parts).toString('utf8');
}

/** POSTs one JSON-RPC request; the answer's status and text, or a LabError naming what went wrong. */
export async function postRpc(r: RpcRequest): Promise<{ status: number; text: string }> {
  try {
    const res = await request(r.url, {
      method: 'POST',
      dispatcher: r.agent,
      headers: { authorization: r.auth, 'content-type': 'application/json' },
      body: r.body,
      headersTimeout: r.timeoutMs,
      bodyTimeout: r.timeoutMs,
    });
    if (res.statusCode === 401) {
      await res.body.dump();
      throw new LabError(
        'unauthorized',
        `${r.backend} at ${r.url} refused ${r.method} (HTTP 401): wrong RPC user or password`,
      );
    }
    return { status: res.statusCode, text: await readCapped(res.body, r) };
  } catch (err) {
    throw noAnswer(r, err);
  }
}
