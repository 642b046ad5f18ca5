import { spawn } from 'node:child_process';

/**
 * `npm run --silent sim -- <command> …` in a process group of its own, as a
 * terminal starts it; `signal` goes to the whole group, as Ctrl-C does (npm
 * and the CLI each get it, and npm passes it on again). The group is killed
 * after `killAfterMs` if it has not exited by then.
 */
export function npmSim(command: string, args: string[], killAfterMs: number) {
  const child = spawn('npm', ['run', '--silent', 'sim', '--', command, ...args], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const text = { out: '', err: '' };
  child.stdout.on('data', (d: Buffer) => (text.out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (text.err += d.toString()));
  const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  const kill = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), killAfterMs);
  void exited.then(() => clearTimeout(kill));
  return { text, exited, signal: (s: NodeJS.Signals) => process.kill(-child.pid!, s) };
}
