/* global document, window, WebSocket, location */
// The live page: renders the latest snapshot the server pushes and sends the
// presenter's controls. Everything shown is in the snapshot; nothing is kept here.
import { drawGraph } from './draw.js';

const $ = (id) => document.getElementById(id);
const nf = new Intl.NumberFormat('en-US');
const fmt = (n) => nf.format(Math.round(n));
const esc = (s) =>
  String(s).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c],
  );
/** The speeds the menu lists and + and - step through: the whole range the server takes. */
const SPEEDS = [0.25, 0.5, 1, 2, 5, 10, 25, 50, 100];
const PHASE_TEXT = {
  discover: 'discover',
  quote: '402 quote',
  decide: 'decide',
  pay: 'pay (route)',
  consume: 'consume',
  idle: 'idle',
};

let ws;
let last;
/** The last control of each type sent, to say what its `ok` reply did. */
const sent = {};
let lastGraphDraw = 0;

function connect() {
  ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`);
  ws.onmessage = (ev) => {
    const msg = JSON.parse(ev.data);
    if (msg.type === 'snapshot') render(msg.snapshot);
    else if (msg.type === 'error') say(`Refused (${msg.code}): ${msg.message}`, true);
    else if (msg.type === 'ok') {
      const c = sent[msg.applied];
      say(`Done: ${c ? DONE[c.type](c) : msg.applied}`, false);
    }
  };
  ws.onclose = () => {
    // A failed or stopped run ends the demo: say so rather than a bare "disconnected".
    $('status').textContent =
      last?.status === 'failed'
        ? `failed: ${last.error} (the demo has stopped; see its terminal)`
        : last?.status === 'stopped'
          ? 'stopped before its end (the demo has stopped; its terminal says where the partial run is)'
          : 'disconnected, retrying…';
    window.setTimeout(connect, 1000);
  };
}

function send(control) {
  if (ws?.readyState !== WebSocket.OPEN) return;
  sent[control.type] = control;
  ws.send(JSON.stringify(control));
}

/** What an applied control did, in the presenter's words, by its type. */
const DONE = {
  pause: () => 'paused',
  resume: () => 'running again',
  speed: (c) => `speed ${c.speed}×`,
  seller_offline: (c) => `seller ${c.offline ? 'offline' : 'back online'} (${c.seller})`,
  node_offline: (c) => `node ${c.offline ? 'offline' : 'back online'} (${c.node})`,
  drain: (c) => `drained ${Math.round(c.fraction * 100)}% of ${c.node}'s outbound liquidity to its peers`,
  price: (c) => `price of ${c.seller} set to ${fmt(c.msat)} msat`,
  seek: (c) => `jumped to ${(c.tMs / 1000).toFixed(1)} s`,
};

function say(text, isError) {
  const m = $('message');
  m.textContent = text;
  m.className = isError ? 'error' : '';
}

function setValue(id, value, text) {
  const e = $(id);
  e.dataset.value = String(value);
  e.textContent = text ?? fmt(value);
}

function render(s) {
  last = s;
  // Snapshots received so far: tests wait on it instead of on the wall clock.
  document.body.dataset.frames = String(Number(document.body.dataset.frames ?? 0) + 1);
  document.body.classList.toggle('replay', s.mode === 'replay');
  $('mode').textContent = s.mode;
  $('scenario').textContent = `${s.scenario} (${s.backend})`;
  $('status').textContent = s.status === 'failed' ? `failed: ${s.error}` : s.status;
  $('status').dataset.value = s.status;
  setValue('time', s.tMs, `${(s.tMs / 1000).toFixed(1)} s`);
  $('end').textContent = `${(s.endMs / 1000).toFixed(0)} s`;
  setValue('speed', s.speed, `${s.speed}×`);
  $('pause').textContent = s.status === 'paused' ? 'Resume' : 'Pause';
  showSpeed(s.speed);
  const scrub = $('scrub');
  $('scrub-label').hidden = s.mode !== 'replay';
  scrub.max = String(s.endMs);
  if (document.activeElement !== scrub) scrub.value = String(s.tMs);
  renderTotals(s.totals);
  renderPipeline(s);
  renderTables(s);
  fillSelect(
    'seller-select',
    s.sellers.map((x) => x.name),
  );
  fillSelect(
    'node-select',
    s.graph.nodes.filter((n) => n.members === 1).map((n) => n.id),
  );
  const now = window.performance.now();
  if (now - lastGraphDraw > 400 || s.status !== 'running') {
    lastGraphDraw = now;
    if (s.graph.nodes.length) drawGraph($('graph'), s.graph, fmt);
    else $('graph').replaceChildren();
    $('graph-note').textContent = s.graph.note;
    $('graph').setAttribute(
      'aria-label',
      `Lightning channel graph: ${s.graph.nodes.length} nodes, ${s.graph.channels.length} channels`,
    );
  }
}

function renderTotals(t) {
  const rows = [
    ['purchases', 'Purchases', t.purchases],
    ['successes', 'Succeeded', t.successes],
    ['spent', 'Spent (msat)', t.spentMsat],
    ['fees', 'Routing fees (msat)', t.feesMsat],
    ['revenue', 'Seller revenue (msat)', t.revenueMsat],
    ['sales', 'Sales', t.sales],
    ['tasks', 'Tasks done / ended', t.tasksDone, `${fmt(t.tasksDone)} / ${fmt(t.tasks)}`],
  ];
  if (t.networkMsat !== undefined)
    rows.push([
      'network',
      'Network total (msat)',
      t.networkMsat,
      `${fmt(t.networkMsat)} ${t.networkMsat === t.networkStartMsat ? '✓ unchanged' : '✗ changed'}`,
    ]);
  if (t.conservation)
    rows.push([
      'conservation',
      'Conservation',
      t.conservation.ok ? 1 : 0,
      `${t.conservation.ok ? '✓ holds' : '✗ broken'}: ${t.conservation.detail}`,
    ]);
  $('totals').innerHTML = rows
    .map(
      ([id, label, v, text]) =>
        `<dt>${label}</dt><dd id="total-${id}" data-value="${v}">${esc(text ?? fmt(v))}</dd>`,
    )
    .join('');
}

function renderPipeline(s) {
  $('phases').innerHTML = Object.entries(s.phases)
    .map(([p, n]) => `<li id="phase-${p}" data-value="${n}">${PHASE_TEXT[p]}<strong>${fmt(n)}</strong></li>`)
    .join('');
  $('flows').innerHTML = s.flows
    .map(
      (f) =>
        `<tr><td>${esc(f.buyer)}</td><td>${esc(f.seller)}</td><td>${PHASE_TEXT[f.phase]}</td><td class="num">${f.amountMsat ? fmt(f.amountMsat) : '–'}</td><td class="num">${f.hops || '–'}</td></tr>`,
    )
    .join('');
}

function renderTables(s) {
  $('sellers').innerHTML = s.sellers
    .map(
      (x) => `<tr data-seller="${esc(x.name)}"><th scope="row">${esc(x.name)}</th>
      <td class="num quoted" data-value="${x.quotedMsat}">${x.quotedMsat ? fmt(x.quotedMsat) : '–'}${x.priceMsat ? ` (set ${fmt(x.priceMsat)})` : ''}</td>
      <td class="num">${fmt(x.sales)}</td><td class="num">${fmt(x.revenueMsat)}</td>
      <td class="num failures" data-value="${x.failures}">${fmt(x.failures)}</td>
      <td>${x.offline ? '<span class="bad whole">✗ offline</span>' : '<span class="ok whole">✓ online</span>'}</td></tr>`,
    )
    .join('')
    .concat(notShown(6, s.sellersNotShown, 'seller', `the ${fmt(s.sellers.length)} most active are shown`));
  $('failures').innerHTML = s.failures.length
    ? s.failures
        .map(
          (f) =>
            `<tr data-outcome="${esc(f.outcome)}"><th scope="row">✗\u00a0${esc(f.outcome)}</th><td class="num" data-value="${f.count}">${fmt(f.count)}</td><td>${sellersOf(s, f.outcome)}</td></tr>`,
        )
        .join('')
        .concat(notShown(3, s.failingSellersNotShown, 'seller', 'with failures not listed'))
    : '<tr><td colspan="3">none yet</td></tr>';
  $('groups').innerHTML = s.groups
    .map(
      (
        g,
      ) => `<tr><th scope="row">${esc(g.name)} <small>(${esc(g.role)})</small></th><td class="num">${fmt(g.agents)}</td><td class="num">${fmt(g.active)}</td>
      <td class="num">${g.budgetMsat ? fmt(g.budgetMsat - g.spentMsat - g.feesMsat) : '–'}</td><td class="num">${fmt(g.spentMsat + g.feesMsat)}</td><td class="num">${fmt(g.done)} / ${fmt(g.tasks)}</td></tr>`,
    )
    .join('')
    .concat(notShown(6, s.groupsNotShown, 'group', `the ${fmt(s.groups.length)} most active are shown`))
    .concat(
      notShown(
        6,
        s.agentsNotTracked,
        'agent',
        "named by the run's files past the tracking limit, in no group",
      ),
    );
  $('agents').innerHTML = s.agents
    .map(
      (a) =>
        `<tr><th scope="row">${esc(a.name)}</th><td>${PHASE_TEXT[a.phase]}</td><td class="num">${a.budgetMsat ? fmt(a.budgetMsat - a.spentMsat - a.feesMsat) : '–'}</td><td class="num">${fmt(a.spentMsat + a.feesMsat)}</td><td class="num">${fmt(a.done)} / ${fmt(a.tasks)}</td></tr>`,
    )
    .join('');
  $('resale').innerHTML = s.resale.length
    ? s.resale
        .map(
          (r) =>
            `<tr><th scope="row">${esc(r.reseller)}</th><td class="num">${fmt(r.slices)}</td><td class="num">${fmt(r.sliceRevenueMsat)}</td><td class="num">${fmt(r.subAgents)}</td><td class="num">${fmt(r.restockMsat)}</td></tr>`,
        )
        .join('')
    : '<tr><td colspan="5">no resellers in this market</td></tr>';
  $('recent').innerHTML = s.recent
    .map(
      (r) =>
        `<li>${(r.tMs / 1000).toFixed(1)} s ${esc(r.buyer)} → ${esc(r.seller)}: ${r.outcome === 'success' ? '<span class="ok">✓ success</span>' : `<span class="bad">✗ ${esc(r.outcome)}</span>`}, paid ${fmt(r.paidMsat)} + fee ${fmt(r.feeMsat)} msat over ${r.hops} hops</li>`,
    )
    .join('');
  $('faults').innerHTML = s.faults
    .map((f) => `<li>${(f.tMs / 1000).toFixed(1)} s ${esc(f.kind)} ${esc(f.target)}: ${esc(f.detail)}</li>`)
    .join('');
}

/** A last row saying how many `what`s a table leaves out (none when it leaves out none). */
function notShown(columns, n, what, why) {
  if (!n) return '';
  return `<tr class="not-shown"><td colspan="${columns}">and ${fmt(n)} more ${what}${n === 1 ? '' : 's'} (${esc(why)})</td></tr>`;
}

/** The sellers failing with `outcome` and how often, as HTML: each name and its count kept on one line. */
function sellersOf(s, outcome) {
  return Object.entries(s.failuresBySeller)
    .filter(([, by]) => by[outcome])
    .map(([seller, by]) => `<span class="whole">${esc(seller)} ${fmt(by[outcome])}</span>`)
    .join(', ');
}

function fillSelect(id, names) {
  const sel = $(id);
  const key = names.join('\u0000');
  if (sel.dataset.key === key) return;
  const keep = sel.value;
  sel.dataset.key = key;
  sel.innerHTML = names.map((n) => `<option>${esc(n)}</option>`).join('');
  if (names.includes(keep)) sel.value = keep;
}

/** The speed menu: the listed speeds and the current one even when not listed, which it shows. */
function showSpeed(speed) {
  const sel = $('speed-select');
  if (document.activeElement === sel) return;
  const speeds = SPEEDS.includes(speed) ? SPEEDS : [...SPEEDS, speed].sort((a, b) => a - b);
  const key = speeds.join(' ');
  if (sel.dataset.key !== key) {
    sel.dataset.key = key;
    sel.innerHTML = speeds.map((x) => `<option value="${x}">${x}×</option>`).join('');
  }
  sel.value = String(speed);
}

function togglePause() {
  send({ type: last?.status === 'paused' ? 'resume' : 'pause' });
}

/** + and -: the nearest listed speed above (dir 1) or below (dir -1) the current one. */
function stepSpeed(dir) {
  if (!last) return;
  const next = dir > 0 ? SPEEDS.find((x) => x > last.speed) : SPEEDS.findLast((x) => x < last.speed);
  if (next === undefined)
    say(`Speed is already the ${dir > 0 ? 'fastest' : 'slowest'}, ${last.speed}×`, false);
  else send({ type: 'speed', speed: next });
}

$('pause').addEventListener('click', togglePause);
$('speed-select').addEventListener('change', (e) => send({ type: 'speed', speed: Number(e.target.value) }));
$('scrub').addEventListener('change', (e) => send({ type: 'seek', tMs: Number(e.target.value) }));
$('seller-offline').addEventListener('click', () =>
  send({ type: 'seller_offline', seller: $('seller-select').value, offline: true }),
);
$('seller-online').addEventListener('click', () =>
  send({ type: 'seller_offline', seller: $('seller-select').value, offline: false }),
);
$('set-price').addEventListener('click', () => {
  // An empty (or unreadable) number box reads as '': say so rather than send a price of 0.
  if ($('price').value.trim() === '') say('Enter a price in msat (a whole number, at least 1)', true);
  else send({ type: 'price', seller: $('seller-select').value, msat: Number($('price').value) });
});
$('node-offline').addEventListener('click', () =>
  send({ type: 'node_offline', node: $('node-select').value, offline: true }),
);
$('node-online').addEventListener('click', () =>
  send({ type: 'node_offline', node: $('node-select').value, offline: false }),
);
$('drain').addEventListener('click', () =>
  send({ type: 'drain', node: $('node-select').value, fraction: Number($('drain-fraction').value) }),
);
// A button clicked with the mouse gives up its focus, so Space then pauses rather than
// clicking it again; a button reached with Tab keeps it (Space or Enter operates it).
$('controls').addEventListener('click', (e) => {
  if (e.detail > 0 && e.target instanceof window.HTMLButtonElement) e.target.blur();
});
document.addEventListener('keydown', (e) => {
  if (e.target instanceof window.HTMLInputElement || e.target instanceof window.HTMLSelectElement) return;
  if (e.key === ' ' && !(e.target instanceof window.HTMLButtonElement)) {
    e.preventDefault();
    togglePause();
  } else if (e.key === '+' || e.key === '=') stepSpeed(1);
  else if (e.key === '-') stepSpeed(-1);
});

connect();
