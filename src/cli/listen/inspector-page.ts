/** What the page is told when it is served. */
export interface InspectorConfig {
  /** `http://127.0.0.1:4000`: where `listen` answers (for `copy as curl` without `--forward-to`). */
  readonly listenUrl: string;
  /** The `--forward-to` app; `null` disables resend. */
  readonly forwardTo: string | null;
}

/**
 * The inspector: one self-contained HTML page, no framework and no request for anything else (its
 * Content-Security-Policy forbids them). It follows `/_inspector/events` (Server-Sent Events) and
 * keeps a row per delivery; a click opens the event as a collapsible JSON tree, its headers, and each
 * problem the schemas found highlighted at its JSON path. Written as plain ES2020 for any current
 * browser; `String.raw` keeps its backslashes, and it uses no template literals of its own.
 */
const PAGE = String.raw`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>converc-webhooks inspector</title>
<style>
:root{color-scheme:light dark;--ok:#1a7f37;--bad:#cf222e;--muted:#6e7781;--line:#d0d7de;--hl:#fff1c2;--key:#0550ae;--str:#0a3069}
@media (prefers-color-scheme:dark){:root{--ok:#3fb950;--bad:#f85149;--muted:#8b949e;--line:#30363d;--hl:#4b3a00;--key:#79c0ff;--str:#a5d6ff}}
body{font:14px/1.45 system-ui,sans-serif;margin:0}
header{display:flex;gap:1.2em;align-items:center;flex-wrap:wrap;padding:.6em 1em;border-bottom:1px solid var(--line)}
h1{font-size:1em;margin:0}
.muted{color:var(--muted)}.ok{color:var(--ok)}.bad{color:var(--bad)}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:.35em 1em;border-bottom:1px solid var(--line);white-space:nowrap}
th{font-weight:600;font-size:.85em;color:var(--muted)}
tr.delivery{cursor:pointer}tr.delivery:hover,tr.delivery.open{background:rgba(127,127,127,.1)}
td.num{text-align:right}
.detail>td{white-space:normal;padding:.6em 1em 1em 2em}
.actions{margin:.2em 0 .6em}.actions button{font:inherit;margin-right:.6em}
.note{margin-left:.4em}
.tree{font:12px/1.55 ui-monospace,SFMono-Regular,Menlo,monospace}
.tree details{margin-left:1.3em}.tree summary{margin-left:-1.3em;cursor:pointer}.tree .leaf{margin-left:0}
.tree .k{color:var(--key)}.tree .s{color:var(--str)}
.issue{background:var(--hl);outline:1px solid var(--bad);border-radius:2px}
.issue-msg{color:var(--bad);margin-left:1em;font-family:system-ui,sans-serif}
ul.issues{color:var(--bad);margin:.2em 0 .6em;padding-left:1.2em}
h3{font-size:.85em;margin:.8em 0 .2em;color:var(--muted)}
#empty{padding:1em}
</style>
</head>
<body>
<header>
<h1>converc-webhooks inspector</h1>
<span id="conn" class="muted">connecting…</span>
<label>type <select id="f-type"><option value="">all</option></select></label>
<label>outcome <select id="f-outcome"><option value="">all</option></select></label>
<span id="where" class="muted"></span>
</header>
<table>
<thead><tr><th>time</th><th>type</th><th>id</th><th>outcome</th><th>answer time</th></tr></thead>
<tbody id="rows"></tbody>
</table>
<p id="empty" class="muted">Waiting for deliveries…</p>
<script id="config" type="application/json">__CONFIG__</script>
<script>
'use strict';
var config = JSON.parse(document.getElementById('config').textContent);
var entries = new Map();
var opened = new Set();
var trees = new Map();
var rows = document.getElementById('rows');
var typeFilter = document.getElementById('f-type');
var outcomeFilter = document.getElementById('f-outcome');
document.getElementById('where').textContent = config.forwardTo ? 'relaying to ' + config.forwardTo : 'receiving on ' + config.listenUrl;

function el(tag, attrs, text) {
  var node = document.createElement(tag);
  Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
  if (text !== undefined) node.textContent = text;
  return node;
}
function answerText(entry) {
  var a = entry.answer;
  var text = (a.status === null ? '' : a.status + ' ') + a.outcome;
  return entry.resends > 0 ? text + ' (resent ×' + entry.resends + ')' : text;
}
function answerClass(entry) {
  var s = entry.answer.status;
  return s !== null && s >= 200 && s < 300 ? 'ok' : 'bad';
}
function syncOptions(select, values) {
  var have = new Set(Array.prototype.map.call(select.options, function (o) { return o.value; }));
  values.forEach(function (v) { if (!have.has(v)) select.append(el('option', { value: v }, v)); });
}

function childPath(path, key, inArray) {
  if (inArray) return path + '[' + key + ']';
  return path === '' ? String(key) : path + '.' + key;
}
function keyLabel(key) {
  return key === null ? el('span') : el('span', { class: 'k' }, (typeof key === 'number' ? key : JSON.stringify(key)) + ': ');
}
function tree(value, path, key) {
  if (value !== null && typeof value === 'object') {
    var inArray = Array.isArray(value);
    var node = el('details', { open: '', 'data-path': path });
    var summary = el('summary');
    var size = inArray ? value.length : Object.keys(value).length;
    summary.append(keyLabel(key), el('span', { class: 'muted' }, inArray ? '[' + size + ']' : '{' + size + '}'));
    node.append(summary);
    (inArray ? value.map(function (v, i) { return [i, v]; }) : Object.entries(value)).forEach(function (pair) {
      node.append(tree(pair[1], childPath(path, pair[0], inArray), pair[0]));
    });
    return node;
  }
  var leaf = el('div', { class: 'leaf', 'data-path': path });
  leaf.append(keyLabel(key), el('span', { class: typeof value === 'string' ? 's' : 'v' }, JSON.stringify(value)));
  return leaf;
}
function nodeAt(root, path) {
  var nodes = root.querySelectorAll('[data-path]');
  for (var i = 0; i < nodes.length; i++) if (nodes[i].getAttribute('data-path') === path) return nodes[i];
  return null;
}
function parentPath(path) {
  var cut = Math.max(path.lastIndexOf('.'), path.lastIndexOf('['));
  return cut <= 0 ? '' : path.slice(0, cut);
}
function highlight(root, issue) {
  var path = issue.path;
  var node = nodeAt(root, path);
  // A missing field has no node: its nearest parent carries the issue.
  while (node === null && path !== '') { path = parentPath(path); node = nodeAt(root, path); }
  if (node === null) return;
  node.classList.add('issue');
  node.title = issue.path + ': ' + issue.message;
  var msg = el('span', { class: 'issue-msg' }, (issue.path === path ? '' : issue.path + ': ') + issue.message);
  (node.tagName === 'DETAILS' ? node.querySelector('summary') : node).append(msg);
  for (var up = node.parentElement; up !== null && up !== root; up = up.parentElement) if (up.tagName === 'DETAILS') up.open = true;
}

function shellQuote(text) { return "'" + text.replace(/'/g, "'\\''") + "'"; }
function curlOf(entry) {
  var parts = ['curl', '-X', 'POST', shellQuote(config.forwardTo || config.listenUrl), '-H', shellQuote('Content-Type: application/json')];
  if (entry.id) parts.push('-H', shellQuote('X-IC-Id: ' + entry.id));
  parts.push('--data-raw', shellQuote(entry.body === null ? '' : entry.body));
  return parts.join(' ');
}
function saveFixture(entry) {
  var text = entry.body === null ? '' : entry.body;
  try { text = JSON.stringify(JSON.parse(text), null, 2) + '\n'; } catch (e) { /* not JSON: saved as it came */ }
  var link = el('a', { href: URL.createObjectURL(new Blob([text], { type: 'application/json' })) });
  link.download = (entry.type || 'delivery') + '-' + (entry.id || entry.seq) + '.json';
  document.body.append(link);
  link.click();
  link.remove();
}

function detailOf(entry) {
  var cached = trees.get(entry.seq);
  if (cached) return cached;
  var box = el('div');
  var actions = el('div', { class: 'actions' });
  var resend = el('button', { class: 'resend', type: 'button' }, 'Resend to app');
  if (!config.forwardTo) { resend.disabled = true; resend.title = 'start listen with --forward-to to resend'; }
  if (entry.body === null) resend.disabled = true;
  var copy = el('button', { class: 'copy', type: 'button' }, 'Copy as curl');
  var save = el('button', { class: 'save', type: 'button' }, 'Save as fixture');
  var note = el('span', { class: 'note muted' });
  resend.addEventListener('click', function () {
    resend.disabled = true;
    note.textContent = 'resending…';
    fetch('/_inspector/deliveries/' + entry.seq + '/resend', { method: 'POST' })
      .then(function (r) { return r.json(); })
      .then(function (updated) {
        if (updated.answer) { entries.set(updated.seq, updated); note.textContent = 'app answered ' + answerText(updated); render(); }
        else note.textContent = updated.error ? updated.error.message : 'failed';
      }, function (error) { note.textContent = String(error); })
      .finally(function () { resend.disabled = false; });
  });
  copy.addEventListener('click', function () {
    var command = curlOf(entries.get(entry.seq) || entry);
    navigator.clipboard.writeText(command).then(function () { note.textContent = 'copied'; }, function () { window.prompt('curl', command); });
  });
  save.addEventListener('click', function () { saveFixture(entry); });
  actions.append(resend, copy, save, note);
  box.append(actions);
  if (entry.issues.length > 0) {
    box.append(el('h3', {}, 'problems'));
    var list = el('ul', { class: 'issues' });
    entry.issues.forEach(function (issue) { list.append(el('li', {}, (issue.path || '(the event)') + ': ' + issue.message)); });
    box.append(list);
  }
  box.append(el('h3', {}, 'event'));
  var body = el('div', { class: 'tree body' });
  var parsed;
  try { parsed = entry.body === null ? undefined : JSON.parse(entry.body); } catch (e) { parsed = undefined; }
  if (parsed === undefined) body.append(el('pre', {}, entry.body === null ? '(body not kept)' : entry.body));
  else body.append(tree(parsed, '', null));
  entry.issues.forEach(function (issue) { highlight(body, issue); });
  box.append(body);
  var headers = el('details', { class: 'tree headers' });
  headers.append(el('summary', {}, 'headers'), tree(entry.headers, '', null));
  box.append(el('h3', {}, entry.method + ' ' + entry.path), headers);
  trees.set(entry.seq, box);
  return box;
}

function render() {
  var all = Array.from(entries.values());
  syncOptions(typeFilter, Array.from(new Set(all.map(function (e) { return e.type || '(no type)'; }))));
  syncOptions(outcomeFilter, Array.from(new Set(all.map(function (e) { return e.answer.outcome; }))));
  var shown = all.filter(function (e) {
    return (typeFilter.value === '' || (e.type || '(no type)') === typeFilter.value) &&
      (outcomeFilter.value === '' || e.answer.outcome === outcomeFilter.value);
  }).sort(function (a, b) { return b.seq - a.seq; });
  var fragment = document.createDocumentFragment();
  shown.forEach(function (entry) {
    var row = el('tr', { class: 'delivery' + (opened.has(entry.seq) ? ' open' : ''), 'data-seq': entry.seq, 'data-id': entry.id || '' });
    row.append(
      el('td', { class: 'muted' }, new Date(entry.receivedAt).toLocaleTimeString()),
      el('td', {}, entry.type || '(no type)'),
      el('td', {}, entry.id || '(no id)'),
      el('td', { class: 'outcome ' + answerClass(entry), title: entry.answer.detail || '' }, answerText(entry)),
      el('td', { class: 'num muted' }, entry.answer.durationMs + ' ms'));
    row.addEventListener('click', function () {
      if (opened.has(entry.seq)) opened.delete(entry.seq); else opened.add(entry.seq);
      render();
    });
    fragment.append(row);
    if (opened.has(entry.seq)) {
      var detail = el('tr', { class: 'detail' });
      var cell = el('td', { colspan: '5' });
      cell.append(detailOf(entry));
      detail.append(cell);
      fragment.append(detail);
    }
  });
  rows.replaceChildren(fragment);
  document.getElementById('empty').hidden = all.length > 0;
}
typeFilter.addEventListener('change', render);
outcomeFilter.addEventListener('change', render);

var conn = document.getElementById('conn');
var source = new EventSource('/_inspector/events');
source.onopen = function () { conn.textContent = '● live'; conn.className = 'ok'; };
source.onerror = function () { conn.textContent = 'reconnecting…'; conn.className = 'bad'; };
source.onmessage = function (message) {
  var entry = JSON.parse(message.data);
  entries.set(entry.seq, entry);
  render();
};
</script>
</body>
</html>
`;

/** The inspector page with its settings filled in (as JSON that cannot close the script element). */
export function inspectorPage(config: InspectorConfig): string {
  const json = JSON.stringify(config).replace(/</g, '\\u003c');
  return PAGE.replace('__CONFIG__', () => json);
}

/** The page's weight in bytes, as served (before any compression). */
export const INSPECTOR_PAGE_BYTES = Buffer.byteLength(PAGE);
