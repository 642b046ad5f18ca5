import type { Rng } from '../../infra/random.js';

/** The request a task sends to a seller of a capability: method, body and its type (POST archetypes need one). */
export interface TaskInput {
  method?: string;
  body?: string;
  headers?: Record<string, string>;
}

/** The POST archetypes read JSON and answer 415 to anything else. */
const JSON_HEADERS: Readonly<Record<string, string>> = Object.freeze({ 'content-type': 'application/json' });

const WORDS = [
  'Markets',
  'cleared',
  'early',
  'as',
  'anomalies',
  'in',
  'the',
  'northern',
  'region',
  'rose',
  'sharply',
  'while',
  'southern',
  'readings',
  'stayed',
  'flat',
  'and',
  'traders',
  'priced',
  'risk',
  'higher',
];

/**
 * Builds a task's request body from the agent's own stream: numbers for
 * compute, a short text for summaries, nothing for GET data feeds.
 */
export function taskInput(capability: string, rng: Rng): TaskInput {
  if (capability === 'compute:stats') {
    const numbers = Array.from({ length: 8 + rng.int(24) }, () => Math.round(rng.normal(0, 10) * 100) / 100);
    return { method: 'POST', body: JSON.stringify({ numbers }), headers: JSON_HEADERS };
  }
  if (capability === 'text:summarize') {
    const sentences = Array.from({ length: 3 + rng.int(4) }, () => {
      const n = 6 + rng.int(8);
      return Array.from({ length: n }, () => rng.pick(WORDS)).join(' ') + '.';
    });
    return {
      method: 'POST',
      body: JSON.stringify({ text: sentences.join(' '), maxSentences: 2 }),
      headers: JSON_HEADERS,
    };
  }
  return {};
}
