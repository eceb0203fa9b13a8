// dom.js - building the page without ever parsing data as HTML.
// h() sets text with text nodes and attributes with setAttribute; there is
// no innerHTML anywhere in the UI. Links carry ids only.
import { t, L, lang, fmtTime, sevName, enumLabel } from './i18n.js';

const SVGNS = 'http://www.w3.org/2000/svg';

function fill(el, attrs, kids) {
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'on') for (const [ev, fn] of Object.entries(v)) el.addEventListener(ev, fn);
    else if (k === 'text') el.textContent = String(v);
    else if (k === 'value') el.value = v;
    else if (k === 'checked' || k === 'selected' || k === 'disabled' || k === 'multiple' || k === 'required') el[k] = !!v;
    else el.setAttribute(k === 'cls' ? 'class' : k, v === true ? '' : String(v));
  }
  add(el, kids);
  return el;
}

export function add(el, kids) {
  for (const c of kids.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/* Appends kids (nodes, strings, arrays; null/false skipped) to el. */
export function put(el, ...kids) { return add(el, kids); }

/* h('a', {href: '#/x', cls: 'y'}, 'text', child, [more]) */
export function h(tag, attrs, ...kids) {
  return fill(document.createElement(tag), attrs, kids);
}

export function svg(tag, attrs, ...kids) {
  return fill(document.createElementNS(SVGNS, tag), attrs, kids);
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

/* A route link: only ids go into the URL. */
export function link(path, ...kids) {
  return h('a', { href: '#' + path }, ...kids);
}
export const enc = encodeURIComponent;

export function time(s) {
  if (!s) return h('span', { cls: 'empty' }, '—');
  return h('time', { datetime: s }, fmtTime(s));
}

export function sevBadge(level, label) {
  if (level === null || level === undefined) return h('span', { cls: 'empty' }, '—');
  return h('span', { cls: 'badge sev sev-' + level, title: t('severity') },
    (label ? t('severity') + ' ' : '') + level + ' ' + sevName(level));
}

export function rangeBadge(range, tlp) {
  if (!range) return null;
  return h('span', { cls: 'badge range-' + range, title: t('range') },
    range.toUpperCase() + (tlp ? ' · ' + tlp : ''));
}

export function flag(text, kind) {
  return h('span', { cls: 'badge flag' + (kind ? ' flag-' + kind : '') }, text);
}

export function msg(text, kind) {
  return h('p', { cls: 'msg ' + (kind || ''), role: kind === 'err' ? 'alert' : null }, text);
}

export function errText(e) {
  if (!e) return '';
  if (e.code === 'network') return t('err.network');
  const known = t('err.' + e.code, null, true);
  let s = known || e.message || e.code;
  if (known && e.status === 400 && e.message) s = known + ' (' + e.message + ')';
  if (e.field && !known) s += ' (' + e.field + ')';
  return s;
}

/* Table from rows: cols = [[header, cellFn, cls?]] */
export function table(cols, rows, rowAttrs) {
  return h('div', { cls: 'tablewrap' },
    h('table', {},
      h('thead', {}, h('tr', {}, cols.map((c) => h('th', { scope: 'col', cls: c[2] || null }, c[0])))),
      h('tbody', {}, rows.map((r) => h('tr', rowAttrs ? rowAttrs(r) : {},
        cols.map((c) => h('td', { cls: c[2] || null }, c[1](r))))))));
}

export function field(labelText, input, hint) {
  const id = input.id || ('f' + Math.random().toString(36).slice(2, 9));
  input.id = id;
  const hid = hint ? id + '-h' : null;
  if (hid) input.setAttribute('aria-describedby', hid);
  return h('div', { cls: 'row' }, h('label', { for: id }, labelText), input,
    hint ? h('p', { cls: 'hint', id: hid }, hint) : null);
}

export function select(name, options, value, attrs) {
  return h('select', Object.assign({ name }, attrs || {}),
    options.map(([v, label]) => h('option', { value: v, selected: String(v) === String(value ?? '') }, label)));
}

export function enumSelect(name, kind, values, value, empty, attrs) {
  const opts = values.map((v) => [v, enumLabel(kind, v)]);
  if (empty !== undefined) opts.unshift(['', empty]);
  return select(name, opts, value, attrs);
}

export function dl(pairs) {
  return h('dl', { cls: 'fields' }, pairs.filter((p) => p).map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

export { t, L, lang };
