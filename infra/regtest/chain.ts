import { Agent, request } from 'undici';
import type { Clock } from '../time/clock.js';
import { LabError } from '../errors.js';

/** How to reach the bitcoin node's JSON-RPC (btcd: HTTPS with its rpc.cert; bitcoind: plain HTTP). */
export interface ChainRpcConfig {
  backend: 'btcd' | 'bitcoind';
  /** e.g. `https://127.0.0.1:18334` (btcd) or `http://127.0.0.1:18443` (bitcoind) */
  url: string;
  user: string;
  pass: string;
  /** PEM of btcd's rpc.cert (HTTPS only). */
  tlsCert?: string;
}

/** Why a JSON-RPC call to the bitcoin node failed. */
export type ChainRpcErrorCode = 'unreachable' | 'rpc_error' | 'bad_response';

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
  #id = 0;

  constructor(cfg: ChainRpcConfig, miningAddress: string) {
    this.backend = cfg.backend;
    this.#cfg = cfg;
    this.#miningAddress = miningAddress;
    this.#agent = new Agent(cfg.tlsCert ? { connect: { ca: cfg.tlsCert } } : {});
    this.#auth = 'Basic ' + Buffer.from(`${cfg.user}:${cfg.pass}`).toString('base64');
  }

  /** One JSON-RPC 1.0 call. */
  async call<T = unknown>(method: string, params: unknown[] = []): Promise<T> {
    let res;
    try {
      res = await request(this.#cfg.url, {
        method: 'POST',
        dispatcher: this.#agent,
        headers: { authorization: this.#auth, 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '1.0', id: ++this.#id, method, params }),
      });
    } catch (cause) {
      throw new LabError('unreachable', `${this.backend} at ${this.#cfg.url} did not answer ${method}`, {
        cause,
      });
    }
    const text = await res.body.text();
    let body: { result?: T; error?: { code?: number; message?: string } | null };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      throw new LabError(
        'bad_response',
        `${this.backend} ${method}: HTTP ${res.statusCode} ${text.slice(0, 200)}`,
      );
    }
    if (body.error) {
      throw new LabError('rpc_error', `${this.backend} ${method}: ${body.error.message}`);
    }
    return body.result as T;
  }

  /** Mines `n` blocks to the faucet address; returns their hashes. */
  async mine(n: number): Promise<string[]> {
    if (n <= 0) return [];
    return this.backend === 'btcd'
      ? this.call<string[]>('generate', [n])
      : this.call<string[]>('generatetoaddress', [n, this.#miningAddress]);
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

  /** Waits until the node answers (after start). */
  async waitReady(clock: Clock, timeoutMs: number): Promise<void> {
    const until = clock.now() + timeoutMs;
    for (;;) {
      try {
        await this.height();
        return;
      } catch (err) {
        if (clock.now() > until) throw err;
        await clock.sleep(200);
      }
    }
  }

  async close(): Promise<void> {
    await this.#agent.close();
  }
}
