import { Annotation } from '@langchain/langgraph';
import type { Listing } from '../../services/registry/types.js';
import type { Grant } from '../l402/index.js';
import type { Searched } from './refused-sellers.js';
import type {
  BuyerPurchase,
  Delegation,
  DecisionRecord,
  ListedOffer,
  StepTiming,
  StopReason,
  Task,
} from './types.js';

const replace = <T>(_old: T, next: T): T => next;
const concat = <T>(a: T[], b: T[]): T[] => a.concat(b);
const sum = (a: number, b: number): number => a + b;

/** The buyer graph's state: one object per task run, with reducers for what accumulates. */
export const BuyerState = Annotation.Root({
  task: Annotation<Task>(),
  listings: Annotation<Listing[]>({ reducer: replace, default: () => [] }),
  /** Offers by listing id (replaced whole by the node that changes them). */
  offers: Annotation<Record<string, ListedOffer>>({ reducer: replace, default: () => ({}) }),
  /** Listings that failed or cheated in this run, never tried again. */
  excluded: Annotation<string[]>({ reducer: concat, default: () => [] }),
  /** Node keys of sellers refused in this run for selling above or outside their listing: see refused-sellers.ts. */
  refusedSellers: Annotation<string[]>({ reducer: concat, default: () => [] }),
  /** The run's registry searches (replaced by each search). */
  searched: Annotation<Searched>({
    reducer: replace,
    default: () => ({ count: 0, full: false, refused: 0 }),
  }),
  chosen: Annotation<string | undefined>({ reducer: replace, default: () => undefined }),
  /** The chosen offer the policy allowed, with the money it holds, until pay settles or releases it. */
  grant: Annotation<Grant | undefined>({ reducer: replace, default: () => undefined }),
  purchases: Annotation<BuyerPurchase[]>({ reducer: concat, default: () => [] }),
  callsDone: Annotation<number>({ reducer: sum, default: () => 0 }),
  spentMsat: Annotation<number>({ reducer: sum, default: () => 0 }),
  feesMsat: Annotation<number>({ reducer: sum, default: () => 0 }),
  decisions: Annotation<DecisionRecord[]>({ reducer: concat, default: () => [] }),
  delegations: Annotation<Delegation[]>({ reducer: concat, default: () => [] }),
  outputs: Annotation<string[]>({ reducer: concat, default: () => [] }),
  steps: Annotation<StepTiming[]>({ reducer: concat, default: () => [] }),
  stop: Annotation<StopReason | undefined>({ reducer: replace, default: () => undefined }),
});

/** The state as nodes read it. */
export type BuyerStateT = typeof BuyerState.State;
/** What a node returns. */
export type BuyerUpdate = typeof BuyerState.Update;
