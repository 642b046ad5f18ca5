export * from './types.js';
export { Ledger, WINDOW_MS, type WindowAlign, type LedgerRefusal } from './ledger.js';
export { budgetWindow, serviceCap, categoryCap, type BudgetWindow, type BudgetDeps } from './budgets.js';
export { FileBudgetBook, type BudgetBook, type BookedSpend } from './budget-book.js';
export { allowAll, maxPerRequest, escalateAbove, valueBased } from './request-rules.js';
export { allowlist, denylist, type ListParams } from './lists.js';
export { allOf } from './all-of.js';
export { createPolicy, policySpecSchema, type PolicySpec, type PolicyDeps, type WindowSpec } from './spec.js';
