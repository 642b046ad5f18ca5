import type { PurchaseEvent } from '../../agents/l402/index.js';
import type { Recorder } from '../metrics/recorder.js';

/** Hears one agent's purchase steps, each with the tag of its purchase (the task it served). */
export type StepListener = (e: PurchaseEvent, taskId: string | undefined) => void;

/**
 * The events.jsonl listener for an L402 client's `onEvent` (undefined when
 * the run records no events): every step of every purchase (challenge,
 * check, authorize, pay, consume, reuse) as a `step` event at run time, with
 * the task its purchase served (`taskId`, empty when the purchase had none).
 */
export function stepEvents(recorder: Recorder, startMs: number): StepListener | undefined {
  if (!recorder.recordsEvents) return undefined;
  return (e, taskId) =>
    recorder.event(e.atMs - startMs, 'step', { ...e, atMs: e.atMs - startMs, taskId: taskId ?? '' });
}
