/** A sweep the CLI refuses, as its users see it: what it prints and its exit code. */
import { expect } from 'vitest';
import { sweepCommand } from '../../sim/commands/sweep-command.js';
import { failureExit } from '../../sim/commands/failure.js';
import type { CommandIo } from '../../sim/commands/io.js';

const io: CommandIo = { out: () => {}, err: () => {}, interactive: false, now: () => new Date(0) };

/** What a refused sweep prints through the CLI's error handling, and its exit code. */
export async function sweepFailure(argv: string[]): Promise<{ code: number; text: string }> {
  const lines: string[] = [];
  const err = await sweepCommand(argv, io).then(
    () => expect.unreachable('the sweep ran'),
    (e: unknown) => e,
  );
  return { code: failureExit('sweep', err, (t) => lines.push(t)), text: lines.join('\n') };
}
