/**
 * Child process for the regtest benchmark: the plain backend (`startBackend`)
 * in its own process, so neither proxy in front of it shares its event loop.
 * Prints `host:port` on stdout; exits on SIGTERM or when stdin closes.
 */
import { startBackend } from './backend.js';

const backend = await startBackend();
process.stdout.write(`${backend.address}\n`);
const stop = () => void backend.close().then(() => process.exit(0));
process.once('SIGTERM', stop);
process.stdin.on('end', stop);
process.stdin.resume();
