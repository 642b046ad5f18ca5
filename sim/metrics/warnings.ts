/**
 * Scenario checks only a run can answer, reported in summary.json's
 * `warnings`: a seller in no purchase attempt (so it shaped nothing), and a
 * fault whose target no agent dealt with after the fault began (so it
 * changed nothing).
 */
export function runWarnings(
  sellers: readonly string[],
  faults: readonly { atMs: number; kind: string; target: string }[],
  lastSeen: ReadonlyMap<string, number>,
): string[] {
  const out: string[] = [];
  for (const s of sellers)
    if (!lastSeen.has(s))
      out.push(
        `seller ${s} took part in no purchase attempt: buyers never found it or never chose it (check registry.searchLimit, its price and capability)`,
      );
  for (const f of faults) {
    if (f.kind === 'node_online') continue;
    const hit = [...lastSeen].some(([name, t]) => matches(name, f.target) && t >= f.atMs);
    if (!hit)
      out.push(
        `fault ${f.kind} on ${f.target} at ${f.atMs} ms changed nothing: no purchase involved ${f.target} after it`,
      );
  }
  return out;
}

// A fault names an instance (honest-0) or a whole group (honest).
function matches(name: string, target: string): boolean {
  return name === target || (name.startsWith(`${target}-`) && /^\d+$/.test(name.slice(target.length + 1)));
}
