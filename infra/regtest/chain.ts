import { Agent } from 'undici';
import type { Clock } from '../time/clock.js';
import { LabError, isLabError } from '../errors.js';
import { sleepUnlessAborted, throwIfAborted } from './abort.js';
import { defaultChainRpcLimits, postRpc, type ChainRpcLimits } from './chain-rpc.js';

/** How to reach the bitcoin node's JSON-RPC (btcd: HTTPS with its rpc.cert; bitcoind: plain HTTP). */
export interface ChainRpcConfig {
  backend: 'btcd' | 'bitcoind';
  /** e.g. `https://127.0.0.1:18334` (btcd) or `http://127.0.0.1:18443` (bitcoind) */
  url: string;
  user: string;
  pass: string;
  /** PEM of btcd's rpc.cert (HTTPS only). */
  tlsCert?: string;
  /** Timeouts and answer size (defaults: `defaultChainRpcLimits`). */
  limits?: Partial<ChainRpcLimits>;
}

export type { ChainRpcErrorCode, ChainRpcLimits } from './chain-rpc.js';

/**
 * The few chain operations the bootstrap needs, over either btcd or bitcoind.
 * Mining pays `miningAddress` (the TypeScript faucet's key): btcd only mines
 * to its `--miningaddr`, bitcoind takes the address per call.
 */
export class Chain {
  readonly backend: ChainRpcConfig['backend'];
  readonly #cfg: ChainRpcConfig;
  readonly #agent: Agent;
  readonly #auth: string;
  readonly #miningAddress: string;
  readonly #limits: ChainRpcLimits;
  #id = 0;

  constructor(cfg: ChainRpcConfig, miningAddress: string) {
    this.backend = cfg.backend;
    this.#cfg = cfg;
    this.#miningAddress = miningAddress;
    this.#limits = { ...defaultChainRpcLimits, ...cfg.limits };
    this.#agent = new Agent(cfg.tlsCert ? { connect: { ca: cfg.tlsCert } } : {});
    this.#auth = 'Basic ' + Buffer.from(`${cfg.user}:${cfg.pass}`).toString('base64');
  }

  /** One JSON-RPC 1.0 call, within `timeoutMs` (default `limits.callTimeoutMs`). */
  async call<T = unknown>(method: string, params: unknown[] = [], timeoutMs?: number): Promise<T> {
    const { status, text } = await postRpc({
      backend: this.backend,
      url: this.#cfg.url,
      agent: this.#agent,
      auth: this.#auth,
      method,
      body: JSON.stringify({ jsonrpc: '1.0', id: ++this.#id, method, params }),
      timeoutMs: timeoutMs ?? this.#limits.callTimeoutMs,
      maxBodyBytes: this.#limits.maxBodyBytes,
    });
    let answer: { result?: T; error?: { code?: number; message?: string } | null };
    try {
      answer = JSON.parse(text) as typeof answer;
    } catch {
      throw new LabError('bad_response', `${this.backend} ${method}: HTTP ${status} ${text.slice(0, 200)}`);
    }
    if (answer.error) {
      throw new LabError('rpc_error', `${this.backend} ${method}: ${answer.error.message}`);
    }
    return answer.result as T;
  }

  /** Mines `n` blocks to the faucet address; returns their hashes. */
  async mine(n: number): Promise<string[]> {
    if (n <= 0) return [];
    const ms = this.#limits.mineTimeoutMs;
    return this.backend === 'btcd'
      ? this.call<string[]>('generate', [n], ms)
      : this.call<string[]>('generatetoaddress', [n, this.#miningAddress], ms);
  }

  async height(): Promise<number> {
    return this.call<number>('getblockcount');
  }

  async blockHash(height: number): Promise<string> {
    return this.call<string>('getblockhash', [height]);
  }

  /** The coinbase transaction (raw hex) of a block. */
  async coinbaseHex(blockHash: string): Promise<string> {
    const block = await this.call<{ tx: string[] }>('getblock', [blockHash, 1]);
    const txid = block.tx[0];
    if (!txid) throw new LabError('bad_response', `block ${blockHash} has no transactions`);
    return this.call<string>('getrawtransaction', [
      txid,
      0,
      ...(this.backend === 'bitcoind' ? [blockHash] : []),
    ]);
  }

  async sendRawTransaction(hex: string): Promise<string> {
    return this.call<string>('sendrawtransaction', [hex]);
  }

  /** Segwit outputs are spendable: always on bitcoind regtest, after BIP9 activation (~432) on btcd. */
  async segwitActive(): Promise<boolean> {
    if (this.backend === 'bitcoind') return true;
    const info = await this.call<{ bip9_softforks?: Record<string, { status?: string }> }>(
      'getblockchaininfo',
    );
    return info.bip9_softforks?.segwit?.status === 'active';
  }

  /** Waits until the node answers (after start); once `signal` fires it rejects at once with LabError('aborted'). */
  async waitReady(clock: Clock, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    const until = clock.now() + timeoutMs;
    for (;;) {
      throwIfAborted(signal, `waiting for ${this.backend}'s RPC`);
      try {
        await this.height();
        return;
      } catch (err) {
        // Wrong credentials do not get right by waiting.
        if (clock.now() > until || isLabError(err, 'unauthorized')) throw err;
        await sleepUnlessAborted(clock, 200, signal, `waiting for ${this.backend}'s RPC`);
      }
    }
  }

  async close(): Promise<void> {
    await this.#agent.close();
  }
}
