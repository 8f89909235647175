// Small DOM helpers: elements built node by node with text nodes (never from
// HTML strings), tables, form fields, dialogs, notices and plain-words errors.
import { t, getLang, fieldLabel, enumLabel, enumValues } from './i18n.js';
import { ApiError } from './api.js';

// h('div', {class: 'x', onclick: fn}, 'text', child, [more]) -> Element
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

const SVG_NS = 'http://www.w3.org/2000/svg';
export function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

function setAttrs(el, attrs) {
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = Array.isArray(v) ? v.filter(Boolean).join(' ') : v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'value') el.value = v;
    else if (k === 'checked' || k === 'selected' || k === 'disabled' || k === 'hidden' || k === 'required' || k === 'multiple')
      el[k] = Boolean(v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export function clear(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

// formatting
export function fmtInt(n) {
  if (n === null || n === undefined || n === '') return '—';
  return Number(n).toLocaleString(getLang() === 'en' ? 'en-GB' : 'zh-CN');
}
export function fmtPct(r, digits = 1) {
  if (r === null || r === undefined) return '—';
  return `${(Number(r) * 100).toFixed(digits)}%`;
}
export function fmtMoney(y) {
  if (y === null || y === undefined) return '—';
  return Number(y).toLocaleString(getLang() === 'en' ? 'en-GB' : 'zh-CN', { maximumFractionDigits: 2 });
}
export function fmtDateTime(ts) {
  if (!ts) return '—';
  const d = new Date(ts);
  if (Number.isNaN(d.getTime())) return ts;
  return d.toLocaleString(getLang() === 'en' ? 'en-GB' : 'zh-CN', { timeZone: 'Asia/Shanghai', hour12: false });
}
export function fmtWage(min, max, period) {
  const p = enumLabel('wage_period', period || 'month');
  const range = min === max || max === undefined ? fmtInt(min) : `${fmtInt(min)}–${fmtInt(max)}`;
  return getLang() === 'en' ? `${range} yuan/${p}` : `${range} 元/${p}`;
}

// today and dates in China Standard Time, as YYYY-MM-DD
export function today(offsetDays = 0) {
  const d = new Date(Date.now() + 8 * 3600 * 1000 + offsetDays * 86400 * 1000);
  return d.toISOString().slice(0, 10);
}
export function sundayOfThisWeek() {
  const d = new Date(Date.now() + 8 * 3600 * 1000);
  const dow = d.getUTCDay(); // 0 = Sunday
  return today(dow === 0 ? 0 : 7 - dow);
}

// Plain words for any failure: a title, and each field named with its reason
export function problemView(err) {
  const box = h('div', { class: 'error', role: 'alert' });
  if (!(err instanceof ApiError)) {
    box.append(h('p', null, t('err_page')));
    return box;
  }
  const p = err.problem || {};
  if (err.status === 0) {
    box.append(h('p', null, t('err_network')));
    return box;
  }
  if (err.status === 412) {
    box.append(h('p', null, t('err_stale')));
    return box;
  }
  const head = [p.title, p.detail].filter(Boolean).join(getLang() === 'en' ? '. ' : '：');
  box.append(h('p', null, head || t('err_unexpected', { status: err.status })));
  if (Array.isArray(p.errors) && p.errors.length) {
    box.append(h('ul', null, p.errors.map((e) => h('li', { dataset: { field: e.field || '' } },
      h('strong', null, fieldLabel(e.field)), getLang() === 'en' ? ': ' : '：', e.message || e.code))));
  }
  if (err.retryAfter) box.append(h('p', null, t('err_retry_after', { s: err.retryAfter })));
  return box;
}

// Put an error in a slot (an element reserved for it), or clear the slot
export function showError(slot, err) {
  clear(slot);
  if (err) {
    slot.append(problemView(err));
    markFields(slot.closest('form'), err);
  }
}

// Outline the inputs whose field an error names
function markFields(form, err) {
  if (!form) return;
  for (const el of form.querySelectorAll('.invalid')) el.classList.remove('invalid');
  const errors = (err && err.problem && err.problem.errors) || [];
  for (const e of errors) {
    const top = String(e.field || '').split('/')[0];
    const input = form.querySelector(`[name="${CSS.escape(top)}"]`);
    if (input) input.classList.add('invalid');
  }
}

export function notice(text, kind = 'ok') {
  return h('div', { class: `notice ${kind}`, role: 'status' }, text);
}

let toastTimer = null;
export function toast(text) {
  let el = document.getElementById('toast');
  if (!el) {
    el = h('div', { id: 'toast', role: 'status', 'aria-live': 'polite' });
    document.body.append(el);
  }
  el.textContent = text;
  el.classList.add('shown');
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => el.classList.remove('shown'), 3500);
}

export function loading() {
  return h('p', { class: 'loading' }, t('loading'));
}

// A table: columns [{label, value(row) -> node|string, num, class}]
export function table(columns, rows, { empty = t('empty'), caption, rowClass } = {}) {
  const tbl = h('table', { class: 'data' });
  if (caption) tbl.append(h('caption', null, caption));
  tbl.append(h('thead', null, h('tr', null, columns.map((c) => h('th', { scope: 'col', class: c.num ? 'num' : c.class }, c.label)))));
  const body = h('tbody');
  appendRows(body, columns, rows, rowClass);
  if (!rows.length) body.append(h('tr', { class: 'empty' }, h('td', { colspan: columns.length }, empty)));
  tbl.append(body);
  return tbl;
}

export function appendRows(tbody, columns, rows, rowClass) {
  const empty = tbody.querySelector('tr.empty');
  if (empty && rows.length) empty.remove();
  for (const r of rows) {
    tbody.append(h('tr', { class: rowClass ? rowClass(r) : null },
      columns.map((c) => h('td', { class: c.num ? 'num' : c.class, dataset: c.key ? { key: c.key } : null }, c.value(r)))));
  }
}

// A paged list: loadPage(cursor) -> {items, next_cursor}; returns the element
export function pagedTable(columns, loadPage, opts = {}) {
  const wrap = h('div', { class: 'paged' });
  const errSlot = h('div');
  const moreBtn = h('button', { type: 'button', class: 'secondary', hidden: true }, t('more'));
  const count = h('span', { class: 'muted' });
  let tbl = null;
  let cursor = null;
  let shown = 0;
  async function more() {
    moreBtn.disabled = true;
    try {
      const page = await loadPage(cursor);
      const items = page.items || [];
      if (!tbl) {
        tbl = table(columns, items, opts);
        wrap.prepend(tbl);
      } else appendRows(tbl.tBodies[0], columns, items, opts.rowClass);
      shown += items.length;
      cursor = page.next_cursor || null;
      moreBtn.hidden = !cursor;
      count.textContent = shown ? t('shown_rows', { n: shown }) : '';
      showError(errSlot, null);
    } catch (e) {
      showError(errSlot, e);
    } finally {
      moreBtn.disabled = false;
    }
  }
  wrap.append(errSlot, h('div', { class: 'pager' }, moreBtn, count));
  moreBtn.addEventListener('click', more);
  wrap.ready = more();
  return wrap;
}

// form fields
let fieldSeq = 0;
export function field(label, input, hint) {
  const id = input.id || `f${++fieldSeq}`;
  input.id = id;
  const wrap = h('div', { class: 'field' });
  if (input.type === 'checkbox') {
    wrap.classList.add('check');
    wrap.append(input, h('label', { for: id }, label));
  } else wrap.append(h('label', { for: id }, label), input);
  if (hint) wrap.append(h('small', { class: 'hint' }, hint));
  return wrap;
}

export function input(name, value, attrs = {}) {
  return h('input', { name, value: value === null || value === undefined ? '' : value, type: 'text', ...attrs });
}
export function numberInput(name, value, attrs = {}) {
  return input(name, value, { type: 'number', inputmode: 'numeric', ...attrs });
}
export function dateInput(name, value, attrs = {}) {
  return input(name, value, { type: 'date', ...attrs });
}
export function checkbox(name, checked, attrs = {}) {
  return h('input', { type: 'checkbox', name, checked, ...attrs });
}
export function textarea(name, value, attrs = {}) {
  const el = h('textarea', { name, rows: 3, ...attrs });
  el.value = value || '';
  return el;
}

// select(name, [[value, label]...] | enumKind, current, {empty: label})
export function select(name, options, current, { empty, attrs } = {}) {
  const opts = typeof options === 'string' ? enumValues(options).map((v) => [v, enumLabel(options, v)]) : options;
  const el = h('select', { name, ...attrs });
  if (empty !== undefined) el.append(h('option', { value: '' }, empty));
  for (const [v, label] of opts) el.append(h('option', { value: v, selected: String(v) === String(current ?? '') }, label));
  return el;
}

export function yesNo(v) {
  return v ? t('yes') : t('no');
}

export function badge(text, kind = '') {
  return h('span', { class: `badge ${kind}` }, text);
}

export function link(hash, text) {
  return h('a', { href: hash }, text);
}

export function section(title, ...children) {
  return h('section', { class: 'panel' }, h('h2', null, title), children);
}

export function facts(pairs) {
  return h('dl', { class: 'facts' }, pairs.filter(Boolean).map(([k, v]) => [h('dt', null, k), h('dd', null, v === '' || v === null || v === undefined ? '—' : v)]));
}

// A modal dialog with a form; resolves to the value onSubmit returned, or null when cancelled
export function formDialog(title, build, onSubmit) {
  return new Promise((resolve) => {
    const errSlot = h('div', { class: 'err-slot' });
    const submit = h('button', { type: 'submit' }, t('ok'));
    const cancel = h('button', { type: 'button', class: 'secondary' }, t('cancel'));
    const form = h('form', { method: 'dialog', class: 'dialog-form' }, h('h2', null, title), build(), errSlot,
      h('div', { class: 'buttons' }, submit, cancel));
    const dlg = h('dialog', { class: 'dialog' }, form);
    document.body.append(dlg);
    let done = false;
    const finish = (v) => {
      if (done) return;
      done = true;
      dlg.close();
      dlg.remove();
      resolve(v);
    };
    cancel.addEventListener('click', () => finish(null));
    dlg.addEventListener('cancel', (e) => {
      e.preventDefault();
      finish(null);
    });
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      submit.disabled = true;
      try {
        const v = await onSubmit(form);
        finish(v === undefined ? true : v);
      } catch (err) {
        showError(errSlot, err);
      } finally {
        submit.disabled = false;
      }
    });
    dlg.showModal();
    const first = form.querySelector('input, select, textarea');
    if (first) first.focus();
  });
}

export function confirmDialog(text) {
  return formDialog(t('confirm_title'), () => h('p', null, text), () => true);
}

// Submit handler with a busy button and an error slot
export function onSubmit(form, errSlot, fn) {
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const btns = form.querySelectorAll('button[type=submit]');
    btns.forEach((b) => { b.disabled = true; });
    showError(errSlot, null);
    try {
      await fn(new FormData(form));
    } catch (err) {
      showError(errSlot, err);
    } finally {
      btns.forEach((b) => { b.disabled = false; });
    }
  });
}

// FormData helpers
export function str(fd, k) {
  const v = fd.get(k);
  return v === null ? '' : String(v).trim();
}
export function int(fd, k) {
  const v = str(fd, k);
  return v === '' ? null : Number(v);
}

// Download a Blob under a file name
export function saveBlob(blob, filename) {
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: filename || 'download' });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}

// Progress bar 0..1 drawn with SVG (no inline style needed)
export function meter(ratio, label) {
  const r = Math.max(0, Math.min(1, Number(ratio) || 0));
  return h('span', { class: 'meter', title: label || fmtPct(ratio) },
    s('svg', { viewBox: '0 0 100 8', preserveAspectRatio: 'none', 'aria-hidden': 'true' },
      s('rect', { class: 'meter-bg', x: 0, y: 0, width: 100, height: 8 }),
      s('rect', { class: 'meter-fg', x: 0, y: 0, width: (r * 100).toFixed(2), height: 8 })),
    h('span', null, label || fmtPct(ratio)));
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// How long to wait before asking again: the server's Retry-After when it
// gives one (at most 10 s), else 1, 2, 4, then 8 s
export function retryDelay(attempt, err) {
  const ra = err && Number(err.retryAfter);
  if (ra > 0) return Math.min(ra, 10) * 1000;
  return Math.min(1000 * 2 ** attempt, 8000);
}
