import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Socket } from 'node:net';

/** How the imitation answers the next requests. */
export type FakeMode =
  | { kind: 'tool'; name: string; args: Record<string, unknown>; afterMs?: number }
  | { kind: 'text'; content: string }
  | { kind: 'status'; code: number; message?: string }
  | { kind: 'echo_auth' }
  | { kind: 'silent' }
  | { kind: 'drip' }
  | { kind: 'bytes'; size: number }
  | { kind: 'not_json' }
  /** A 200 completion carrying `message` as given (any shape) and `usage` in place of the usual counts. */
  | { kind: 'reply'; message: unknown; usage?: unknown };

/** The OpenAI chat-completions answer carrying `message` and `usage`. */
function completion(
  message: unknown,
  usage: unknown = { prompt_tokens: 10, completion_tokens: 2, total_tokens: 12 },
) {
  return {
    id: 'chatcmpl-test',
    object: 'chat.completion',
    created: 1_767_225_600,
    model: 'lab-model',
    choices: [{ index: 0, finish_reason: 'stop', message }],
    usage,
  };
}

function answer(mode: FakeMode, req: IncomingMessage, res: ServerResponse): void {
  const json = (body: unknown, code = 200) => {
    res.writeHead(code, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  switch (mode.kind) {
    case 'tool': {
      const send = () =>
        json(
          completion({
            role: 'assistant',
            content: null,
            tool_calls: [
              {
                id: 'call_1',
                type: 'function',
                function: { name: mode.name, arguments: JSON.stringify(mode.args) },
              },
            ],
          }),
        );
      if (mode.afterMs === undefined) return send();
      const t = setTimeout(send, mode.afterMs);
      res.on('close', () => clearTimeout(t));
      return;
    }
    case 'text':
      return json(completion({ role: 'assistant', content: mode.content }));
    case 'reply':
      return json(completion(mode.message, mode.usage));
    case 'status':
      return json({ error: { message: mode.message ?? 'upstream failed', type: 'server_error' } }, mode.code);
    case 'echo_auth':
      return json({ error: { message: `invalid key: ${req.headers.authorization}` } }, 401);
    case 'silent':
      return;
    case 'drip': {
      res.writeHead(200, { 'content-type': 'application/json' });
      const t = setInterval(() => res.write(' '), 20);
      res.on('close', () => clearInterval(t));
      return;
    }
    case 'not_json':
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('<html>gateway</html>');
      return;
    case 'bytes':
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(`{"pad":"${'a'.repeat(mode.size)}"}`);
  }
}

/**
 * An imitation of the OpenAI chat-completions API on 127.0.0.1 (a real
 * socket, so the real ChatOpenAI client runs up to the network edge).
 * `requests` counts what arrived, `bodies` holds their JSON bodies; `close`
 * drops open connections.
 */
export async function startFakeOpenAi(initial: FakeMode) {
  const state = { mode: initial, requests: 0, bodies: [] as Record<string, unknown>[] };
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      state.requests += 1;
      state.bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>);
      answer(state.mode, req, res);
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    state,
    baseUrl: `http://127.0.0.1:${port}/v1`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
