/**
 * A nameserver on 127.0.0.1 for tests of the registry's DNS resolution (c-ares), no internet: it
 * answers A and AAAA queries for the names it holds, NXDOMAIN for any other, and never answers a
 * name it is told to drop (a black-hole nameserver).
 */
import { createSocket } from 'node:dgram';

/** A running test nameserver: `server` for `nameservers`, the queries it got (`name A`, `name AAAA`). */
export interface TestNameserver {
  server: string;
  queries: string[];
  close(): Promise<void>;
}

const TYPE = { 1: 'A', 28: 'AAAA' } as Record<number, string>;

/** Serves `names` (each name's IPv4 and IPv6 addresses); a name in `dropped` is never answered. */
export async function startNameserver(
  names: Record<string, string[]>,
  dropped: string[] = [],
): Promise<TestNameserver> {
  const socket = createSocket('udp4');
  const queries: string[] = [];
  socket.on('message', (query, from) => {
    const { name, type, end } = questionOf(query);
    queries.push(`${name} ${TYPE[type] ?? type}`);
    if (dropped.includes(name)) return;
    const found = names[name];
    const family = type === 1 ? 4 : type === 28 ? 6 : 0;
    const addresses = (found ?? []).filter((a) => (a.includes(':') ? 6 : 4) === family);
    const header = Buffer.alloc(12);
    header.writeUInt16BE(query.readUInt16BE(0), 0);
    header.writeUInt16BE(0x8080 | (query.readUInt16BE(2) & 0x0100) | (found ? 0 : 3), 2); // NXDOMAIN is 3
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(addresses.length, 6);
    const answers = addresses.map((a) => record(type, family === 4 ? ipv4Bytes(a) : ipv6Bytes(a)));
    socket.send(Buffer.concat([header, query.subarray(12, end), ...answers]), from.port, from.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return {
    server: `127.0.0.1:${socket.address().port}`,
    queries,
    close: () => new Promise((resolve) => socket.close(() => resolve())),
  };
}

/** The question of a query: its name (lowercase), its type, and where it ends. */
function questionOf(query: Buffer): { name: string; type: number; end: number } {
  const labels: string[] = [];
  let i = 12;
  for (let n = query[i]!; n > 0; n = query[i]!) {
    labels.push(query.subarray(i + 1, i + 1 + n).toString('latin1'));
    i += n + 1;
  }
  return { name: labels.join('.').toLowerCase(), type: query.readUInt16BE(i + 1), end: i + 5 };
}

/** An answer record for the question's name (a pointer to offset 12), class IN, TTL 60. */
function record(type: number, data: Buffer): Buffer {
  const r = Buffer.alloc(12);
  r.writeUInt16BE(0xc00c, 0);
  r.writeUInt16BE(type, 2);
  r.writeUInt16BE(1, 4);
  r.writeUInt32BE(60, 6);
  r.writeUInt16BE(data.length, 10);
  return Buffer.concat([r, data]);
}

const ipv4Bytes = (ip: string) => Buffer.from(ip.split('.').map(Number));

function ipv6Bytes(ip: string): Buffer {
  const [head, tail] = ip.split('::') as [string, string?];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return Buffer.from(groups.flatMap((g) => [parseInt(g, 16) >> 8, parseInt(g, 16) & 255]));
}
