/**
 * A second process for the multi-process tests (run with `node --import tsx`):
 *
 *   writer-process.ts tokens <file> <token-json>   opens the token file, writes a pending token, prints
 *                                                   "ready", then waits to be killed (mid-payment)
 *   writer-process.ts budget <file> <tries> [crash] opens the budget file, tries 10,000 msat purchases
 *                                                   against a 25,000 msat/day budget, prints the decisions
 *                                                   as JSON; with `crash`, dies (SIGKILL) after the first
 *                                                   allow, before it settles
 */
import { FileTokenStore, type StoredToken } from '../../../agents/l402/index.js';
import { createPolicy, FileBudgetBook } from '../../../agents/policies/index.js';
import { VirtualClock } from '../../../infra/time/virtual-clock.js';

const [mode, file, arg, crash] = process.argv.slice(2);

async function tokens(): Promise<void> {
  const store = await FileTokenStore.open(file!);
  await store.put(JSON.parse(arg!) as StoredToken);
  process.stdout.write('ready\n');
  setInterval(() => {}, 60_000);
}

async function budget(): Promise<void> {
  const clock = new VirtualClock();
  const book = await FileBudgetBook.open(file!);
  const policy = createPolicy(
    { name: 'budget_window', params: { limitMsat: 25_000, window: 'day' } },
    { clock, book },
  );
  const offer = { amountMsat: 10_000, maxFeeMsat: 1_000, url: 'http://a.test/', host: 'a.test', payee: '02' };
  const decisions: string[] = [];
  for (let i = 0; i < Number(arg); i++) {
    const d = await policy.authorize(offer, { nowMs: clock.now() });
    decisions.push(d.kind === 'deny' ? d.outcome : d.kind);
    if (d.kind !== 'allow') continue;
    if (crash) process.kill(process.pid, 'SIGKILL');
    // Paid: 10,000 msat and a 100 msat fee.
    policy.settle(d.reservation, 10_100);
  }
  await book.close();
  process.stdout.write(`${JSON.stringify(decisions)}\n`);
}

await (mode === 'tokens' ? tokens() : budget());
