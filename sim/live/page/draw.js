/* global document */
// The Lightning graph as SVG: routers in the middle, sellers on the right arc,
// agents on the left arc. Shapes (not only colours) tell the roles apart.

const NS = 'http://www.w3.org/2000/svg';
const W = 1200;
const H = 520;
const SHAPES = {
  buyer: 'circle',
  'sub-agent': 'circle',
  seller: 'square',
  router: 'diamond',
  reseller: 'triangle',
};

/** Stable positions: a node keeps its place between snapshots unless the set of nodes changes. */
function layout(nodes) {
  const routers = nodes.filter((n) => n.role === 'router');
  const sellers = nodes.filter((n) => n.role === 'seller');
  const others = nodes.filter((n) => n.role !== 'router' && n.role !== 'seller');
  const pos = new Map();
  routers.forEach((n, i) => {
    const a = (2 * Math.PI * i) / Math.max(1, routers.length);
    const r = routers.length > 1 ? 70 : 0;
    pos.set(n.id, [W / 2 + r * Math.cos(a), H / 2 + r * Math.sin(a)]);
  });
  const arc = (list, x0, dir) =>
    list.forEach((n, i) => {
      const t = list.length === 1 ? 0.5 : i / (list.length - 1);
      const a = (-0.42 + 0.84 * t) * Math.PI;
      pos.set(n.id, [x0 + dir * 430 * Math.cos(a), H / 2 + 220 * Math.sin(a)]);
    });
  arc(others, W / 2, -1);
  arc(sellers, W / 2, 1);
  return pos;
}

function el(name, attrs, parent) {
  const e = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (parent) parent.appendChild(e);
  return e;
}

function shape(node, [x, y], g) {
  const r = 9 + Math.min(9, Math.log2(node.members));
  const kind = SHAPES[node.role] ?? 'circle';
  const style = {
    fill: node.online ? '#fff' : '#ddd',
    stroke: '#111',
    'stroke-width': 2.5,
    'stroke-dasharray': node.online ? '' : '5 3',
  };
  if (kind === 'circle') return el('circle', { cx: x, cy: y, r, ...style }, g);
  if (kind === 'square') return el('rect', { x: x - r, y: y - r, width: 2 * r, height: 2 * r, ...style }, g);
  if (kind === 'diamond')
    return el(
      'polygon',
      { points: `${x},${y - r - 3} ${x + r + 3},${y} ${x},${y + r + 3} ${x - r - 3},${y}`, ...style },
      g,
    );
  return el(
    'polygon',
    { points: `${x},${y - r - 2} ${x + r + 2},${y + r} ${x - r - 2},${y + r}`, ...style },
    g,
  );
}

/** Redraws the graph into `box` from a snapshot's `graph`. */
export function drawGraph(box, graph, fmt) {
  const svg = el('svg', { viewBox: `0 0 ${W} ${H}`, 'aria-hidden': 'true' });
  const pos = layout(graph.nodes);
  const lines = el('g', {}, svg);
  for (const c of graph.channels) {
    const a = pos.get(c.a);
    const b = pos.get(c.b);
    if (!a || !b) continue;
    const total = c.aMsat + c.bMsat || 1;
    const f = c.aMsat / total;
    const mid = [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f];
    const w = c.moved ? 6 : 2.5;
    el('line', { x1: a[0], y1: a[1], x2: mid[0], y2: mid[1], stroke: '#0b4fa8', 'stroke-width': w }, lines);
    el('line', { x1: mid[0], y1: mid[1], x2: b[0], y2: b[1], stroke: '#9ab', 'stroke-width': w }, lines);
    const t = el('title', {}, lines);
    t.textContent = `${c.a} ↔ ${c.b}: ${fmt(c.aMsat)} | ${fmt(c.bMsat)} msat`;
  }
  const many = graph.nodes.length > 40;
  for (const n of graph.nodes) {
    const p = pos.get(n.id);
    const g = el('g', {}, svg);
    shape(n, p, g);
    const title = el('title', {}, g);
    title.textContent = `${n.id} (${n.role}${n.members > 1 ? `, ${n.members} nodes` : ''}${n.online ? '' : ', offline'}): ${fmt(n.localMsat)} msat outbound`;
    if (!many || n.role !== 'buyer') {
      const label = el('text', { x: p[0] + 14, y: p[1] - 12 }, g);
      label.textContent = `${n.id}${n.online ? '' : ' (offline)'}`;
    }
  }
  box.replaceChildren(svg);
}
