import { createHash } from 'node:crypto';
import * as bitcoin from 'bitcoinjs-lib';
import { ECPairFactory, type ECPairInterface } from 'ecpair';
import * as ecc from 'tiny-secp256k1';
import type { Chain } from './chain.js';
import { LabError } from '../errors.js';
import { ONCHAIN_SAT_PER_VBYTE } from './fee-rates.js';

const ECPair = ECPairFactory(ecc);
const NETWORK = bitcoin.networks.regtest;
/** Coinbase outputs can be spent after 100 confirmations. */
export const COINBASE_MATURITY = 100;

/** One output of a funding transaction. */
export interface FundingOutput {
  address: string;
  valueSat: number;
}

/**
 * A regtest wallet held in TypeScript, as lnd's own test harness does with
 * its in-memory miner: the chain mines to this key's P2WPKH address, and one
 * transaction built and signed here funds every node at once. Stateless: it
 * finds unspent coinbases on the chain each time (`gettxout`).
 */
export class Faucet {
  readonly address: string;
  readonly #key: ECPairInterface;
  readonly #script: Uint8Array;

  /** Key derived from `seed` (regtest coins only: a readable seed is fine and makes runs repeatable). */
  constructor(seed: string) {
    const secret = createHash('sha256').update(`l402-lab regtest faucet/${seed}`).digest();
    this.#key = ECPair.fromPrivateKey(new Uint8Array(secret), { network: NETWORK });
    const payment = bitcoin.payments.p2wpkh({ pubkey: this.#key.publicKey, network: NETWORK });
    if (!payment.address || !payment.output) throw new Error('p2wpkh derivation failed');
    this.address = payment.address;
    this.#script = payment.output;
  }

  /**
   * Builds, signs and broadcasts one transaction paying every output, from
   * mature coinbases of this key. Returns the txid (mine a block to confirm).
   */
  async fund(chain: Chain, outputs: readonly FundingOutput[]): Promise<string> {
    const needSat = outputs.reduce((s, o) => s + assertSat(o.valueSat), 0);
    const tip = await chain.height();
    const inputs: Array<{ txid: string; vout: number; valueSat: number }> = [];
    let haveSat = 0;
    for (
      let h = 1;
      h <= tip - COINBASE_MATURITY && haveSat < needSat + feeFor(inputs.length + 1, outputs.length + 1);
      h++
    ) {
      const tx = bitcoin.Transaction.fromHex(await chain.coinbaseHex(await chain.blockHash(h)));
      const txid = tx.getId();
      for (const [vout, out] of tx.outs.entries()) {
        if (!sameBytes(out.script, this.#script)) continue;
        // Spent already (an earlier funding)? gettxout answers null.
        if ((await chain.call('gettxout', [txid, vout, true])) === null) continue;
        const valueSat = Number(out.value);
        inputs.push({ txid, vout, valueSat });
        haveSat += valueSat;
      }
    }
    const fee = feeFor(inputs.length, outputs.length + 1);
    if (haveSat < needSat + fee) {
      throw new LabError(
        'insufficient_funds',
        `faucet has ${haveSat} sat in mature coinbases at height ${tip}, needs ${needSat + fee}: mine more blocks`,
      );
    }
    const psbt = new bitcoin.Psbt({ network: NETWORK });
    for (const i of inputs) {
      psbt.addInput({
        hash: i.txid,
        index: i.vout,
        witnessUtxo: { script: this.#script, value: BigInt(i.valueSat) },
      });
    }
    for (const o of outputs) psbt.addOutput({ address: o.address, value: BigInt(o.valueSat) });
    const change = haveSat - needSat - fee;
    if (change > 1000) psbt.addOutput({ address: this.address, value: BigInt(change) });
    psbt.signAllInputs(this.#key);
    psbt.finalizeAllInputs();
    return chain.sendRawTransaction(psbt.extractTransaction().toHex());
  }
}

/** Virtual size estimate for P2WPKH inputs and outputs (P2TR outputs are 12 vB larger; we round up). */
function feeFor(nIn: number, nOut: number): number {
  return (11 + 68 * nIn + 43 * nOut) * ONCHAIN_SAT_PER_VBYTE;
}

function assertSat(v: number): number {
  if (!Number.isSafeInteger(v) || v <= 0)
    throw new RangeError(`funding output must be a positive whole sat amount, got ${v}`);
  return v;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
