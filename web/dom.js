// dom.js - building the page without ever parsing data as HTML.
// h() sets text with text nodes and attributes with setAttribute; there is
// no innerHTML anywhere in the UI. Links carry ids only.
import { t, L, lang, fmtTime, sevName, enumLabel, paren } from './i18n.js';

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
  // in Japanese, the message's reason in Japanese (detail_ja) when the
  // hub has the words for it, else its English message
  const detail = lang() === 'ja' && e.detailJa ? e.detailJa : e.message;
  // a code the page has no words for: the hub's own Japanese (detail_ja,
  // else message_ja; both start with the field) when the page is in Japanese
  if (!known && lang() === 'ja' && (e.detailJa || e.messageJa)) return e.detailJa || e.messageJa;
  let s = known || e.message || e.code;
  if (known && e.status === 400 && detail) s = known + paren(detail);
  if (e.field && !known) s += paren(e.field);
  return s;
}

/* The browser's own refusal of a field (required, min, max, a type or
 * pattern) is said in the page's language beside the field, marked and
 * described, the first such field focused: never the browser's bubble in
 * the browser's language over a Japanese page (found by a review). */
if (typeof document.addEventListener === 'function') document.addEventListener('invalid', (e) => {
  const el = e.target, v = el.validity;
  e.preventDefault();
  const text = v.valueMissing ? t('v.missing') : v.rangeUnderflow ? t('v.min', { n: el.min })
    : v.rangeOverflow ? t('v.max', { n: el.max }) : t('v.format');
  const id = 'verr-' + (el.name || el.id || 'x').replace(/[^a-z0-9_-]/gi, '-');
  let p = document.getElementById(id);
  if (!p) {
    p = h('p', { cls: 'fielderr', id, 'data-native': '' });
    const anchor = el.closest('label.check, label.inline') || el;
    anchor.parentNode.insertBefore(p, anchor.nextSibling);
    const was = el.getAttribute('aria-describedby');
    el.setAttribute('aria-describedby', was ? id + ' ' + was : id);
    el.addEventListener('input', () => { if (el.checkValidity()) { p.remove(); el.removeAttribute('aria-invalid');
      el.setAttribute('aria-describedby', (el.getAttribute('aria-describedby') || '').split(' ').filter((x) => x !== id).join(' ')); } });
  }
  p.textContent = text;
  el.setAttribute('aria-invalid', 'true');
  const first = el.form && el.form.querySelector(':invalid');
  if (!first || first === el) el.focus();
}, true);

/* A second step before an act that reaches many organisations at once
 * (a declaration's roll call, a drill): text and two buttons at the foot
 * of form, in place (never a browser dialog); true when confirmed. A
 * submit while it is shown is the confirmation's to answer. */
export function confirmStep(form, text, yes) {
  const old = form.querySelector('.confirm-step');
  if (old) old.remove();
  return new Promise((done) => {
    const end = (v) => { box.remove(); done(v); };
    const ok = h('button', { type: 'button', cls: 'danger confirm-yes', on: { click: () => end(true) } }, yes);
    const box = h('div', { cls: 'confirm-step msg warn', role: 'group', 'aria-label': yes },
      h('p', {}, text), h('div', { cls: 'actions' }, ok,
        h('button', { type: 'button', cls: 'secondary confirm-no', on: { click: () => end(false) } }, t('confirm.no'))));
    form.appendChild(box);
    ok.focus();
  });
}

/* Table from rows: cols = [[header, cellFn, cls?]]
 * A header that is empty (a column of buttons or links) is named for
 * screen readers by a visually hidden label (c[3], else "操作 /
 * Action"). Every cell carries its column's name in data-label (empty
 * for such a column) and its value in a div.cell: on a narrow screen
 * (app.css) the rows are shown as cards, each value beside its column's
 * name, so nothing needs sideways
 * scrolling. The wrapper becomes a named, focusable group only while it
 * does scroll sideways (keyboard users can then scroll it). */
export function table(cols, rows, rowAttrs) {
  const heads = cols.map((c) => {
    const empty = c[0] === null || c[0] === undefined || c[0] === '';
    const label = empty ? (c[3] || t('table.action')) : (c[0] instanceof Node ? c[0].textContent : String(c[0]));
    return { label, card: empty ? '' : label, th: h('th', { scope: 'col', cls: c[2] || null }, empty ? h('span', { cls: 'vh' }, label) : c[0]) };
  });
  const wrap = h('div', { cls: 'tablewrap' },
    h('table', {},
      h('thead', {}, h('tr', {}, heads.map((x) => x.th))),
      h('tbody', {}, rows.map((r) => h('tr', rowAttrs ? rowAttrs(r) : {},
        cols.map((c, i) => cell(c, heads[i].card, r)))))));
  scrolls().observe(wrap);
  return wrap;
}

/* A cell: its value in div.cell; a cell showing nothing is marked
 * "blank" (a card leaves it out). */
function cell(c, label, r) {
  const v = h('div', { cls: 'cell' }, c[1](r));
  const blank = v.textContent.trim() === '' && !v.querySelector('img,svg,input,select,button,meter');
  return h('td', { cls: [c[2], blank ? 'blank' : null].filter(Boolean).join(' ') || null, 'data-label': label }, v);
}

/* One ResizeObserver for every table wrapper: a wrapper that scrolls
 * sideways gets tabindex=0, role=group and a name (the heading before it,
 * else "表 / Table"), as a keyboard-scrollable region must; one that does
 * not scroll gets none of them (no needless tab stop). */
let observer = null;
function scrolls() {
  if (!observer) {
    observer = new ResizeObserver((entries) => {
      for (const { target: w } of entries) {
        if (!w.isConnected) { observer.unobserve(w); continue; }
        if (w.scrollWidth > w.clientWidth + 1) {
          if (w.getAttribute('tabindex') === '0') continue;
          w.setAttribute('tabindex', '0');
          w.setAttribute('role', 'group');
          w.setAttribute('aria-label', tableName(w));
        } else if (w.hasAttribute('tabindex')) {
          w.removeAttribute('tabindex'); w.removeAttribute('role'); w.removeAttribute('aria-label');
        }
      }
    });
  }
  return observer;
}

/* The nearest heading before w (its own or an ancestor's earlier
 * sibling), as the name of the table. */
function tableName(w) {
  for (let el = w; el && el.id !== 'main'; el = el.parentElement) {
    for (let p = el.previousElementSibling; p; p = p.previousElementSibling) {
      if (/^(H[1-6]|LEGEND)$/.test(p.tagName)) return t('table.named', { name: p.textContent.trim() });
    }
  }
  return t('table');
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

/* Text a sender chose (a file name, a subject, a display name, a flag's
 * evidence) with nothing hidden or reordered: every bidi control (U+200E,
 * U+200F, U+061C, U+202A-U+202E, U+2066-U+2069), every other invisible or
 * format character (U+00AD, U+200B-U+200D, U+2060-U+2064, U+FEFF, the tag
 * characters, the Hangul fillers, ...), C0 and C1 controls and the line
 * and paragraph separators are written as "\u202e" (lower-case hex, as
 * JSON.stringify writes; "\u{e0041}" above U+FFFF), so that
 * "請求書\u202efdp.exe" never shows as "請求書exe.pdf". quoted: a JSON
 * string ("…", with \" and \\ too), as file names are shown, so that
 * padding and the ends are visible. hiddenText() gives the string (for a
 * sentence of i18n.js); shown() a span.shown (spaces kept, isolated from
 * the text around it) whose escapes are span.ctl, each titled with its
 * code point. */
const HIDDEN = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}\u034f\u115f\u1160\u17b4\u17b5\u180e\u3164\uffa0]/u;

function escapes(s, quoted) {
  const parts = []; // strings, and {esc, cp} for what is made visible
  let run = quoted ? '"' : '';
  for (const ch of String(s ?? '')) {
    if (HIDDEN.test(ch)) {
      if (run) parts.push(run);
      run = '';
      const cp = ch.codePointAt(0), hex = cp.toString(16).padStart(4, '0');
      parts.push({ esc: cp > 0xffff ? '\\u{' + hex + '}' : '\\u' + hex, cp: 'U+' + hex.toUpperCase() });
    } else run += quoted && (ch === '"' || ch === '\\') ? '\\' + ch : ch;
  }
  if (quoted) run += '"';
  if (run) parts.push(run);
  return parts;
}

export function hiddenText(s, quoted) {
  return escapes(s, quoted).map((x) => (typeof x === 'string' ? x : x.esc)).join('');
}

export function shown(s, quoted) {
  return h('span', { cls: 'shown' }, escapes(s, quoted).map((x) => (typeof x === 'string' ? x
    : h('span', { cls: 'ctl', title: t('shown.ctl', { cp: x.cp }) }, x.esc))));
}

export function dl(pairs) {
  return h('dl', { cls: 'fields' }, pairs.filter((p) => p).map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

export { t, L, lang };
