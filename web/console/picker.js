// Searchable pickers: many items from a list known in full (skills,
// certificate types), or one record found by a server search (occupation,
// employer).
import { h, clear } from './ui.js';
import { t } from './i18n.js';
import { nameOf } from './refdata.js';

let pickerSeq = 0;

// Arrow keys move through the options, Enter picks one, Escape goes back to the box
function listKeys(list, input) {
  list.addEventListener('keydown', (e) => {
    const opts = [...list.querySelectorAll('[role=option]')];
    const i = opts.indexOf(document.activeElement);
    if (e.key === 'ArrowDown' && i < opts.length - 1) opts[i + 1].focus();
    else if (e.key === 'ArrowUp') (i > 0 ? opts[i - 1] : input).focus();
    else if (e.key === 'Enter' && i >= 0) opts[i].click();
    else if (e.key === 'Escape') input.focus();
    else return;
    e.preventDefault();
  });
  input.addEventListener('keydown', (e) => {
    if (e.key !== 'ArrowDown') return;
    const first = list.querySelector('[role=option]');
    if (first && !list.hidden) {
      e.preventDefault();
      first.focus();
    }
  });
}

function matches(item, q) {
  if (!q) return true;
  const hay = [item.code, item.name_zh, item.name_en, item.name, item.category, item.parent && item.parent.name_zh]
    .filter(Boolean).join(' ').toLowerCase();
  return q.toLowerCase().split(/\s+/).every((w) => hay.includes(w));
}

// multiPicker({name, items, initial: [{id, ...}], rowControls(entry) -> {nodes, read()}})
//   -> {el, value()}: value() is [{id, ...read()}]
export function multiPicker({ name, title, items, initial = [], rowControls }) {
  const id = `pk${++pickerSeq}`;
  const chosen = [];
  const byId = new Map(items.map((it) => [it.id, it]));
  const search = h('input', {
    type: 'search', id: `${id}-q`, placeholder: t('pick_search'), autocomplete: 'off', role: 'combobox',
    'aria-expanded': 'false', 'aria-controls': `${id}-list`, 'aria-autocomplete': 'list', class: 'picker-search',
  });
  const list = h('ul', { id: `${id}-list`, role: 'listbox', class: 'picker-list', hidden: true });
  const rows = h('ul', { class: 'picker-chosen', dataset: { name } });

  function renderChosen() {
    clear(rows);
    if (!chosen.length) rows.append(h('li', { class: 'muted' }, t('picked_none')));
    for (const c of chosen) {
      const item = byId.get(c.id) || { name_zh: `#${c.id}` };
      const remove = h('button', { type: 'button', class: 'link', 'aria-label': `${t('remove')} ${nameOf(item)}` }, t('remove'));
      remove.addEventListener('click', () => {
        chosen.splice(chosen.indexOf(c), 1);
        renderChosen();
        renderList();
      });
      rows.append(h('li', { dataset: { id: c.id } }, h('span', { class: 'chip-name' }, nameOf(item)), c.controls.nodes, remove));
    }
  }

  function add(item, values = {}) {
    if (chosen.some((c) => c.id === item.id)) return;
    const entry = { id: item.id, ...values };
    entry.controls = rowControls ? rowControls(entry) : { nodes: [], read: () => ({}) };
    chosen.push(entry);
    renderChosen();
  }

  function renderList() {
    const q = search.value.trim();
    clear(list);
    if (!q) {
      list.hidden = true;
      search.setAttribute('aria-expanded', 'false');
      return;
    }
    const found = items.filter((it) => !chosen.some((c) => c.id === it.id) && matches(it, q)).slice(0, 30);
    for (const it of found) {
      const opt = h('li', { role: 'option', tabindex: -1, dataset: { id: it.id } },
        h('span', null, nameOf(it)), h('small', { class: 'muted' }, ` ${it.code}`));
      opt.addEventListener('mousedown', (e) => e.preventDefault());
      opt.addEventListener('click', () => {
        add(it);
        search.value = '';
        renderList();
        search.focus();
      });
      list.append(opt);
    }
    list.hidden = !found.length;
    search.setAttribute('aria-expanded', String(!list.hidden));
  }

  listKeys(list, search);
  search.addEventListener('input', renderList);
  search.addEventListener('focus', renderList);
  search.addEventListener('blur', () => setTimeout(() => {
    if (list.contains(document.activeElement)) return;
    list.hidden = true;
    search.setAttribute('aria-expanded', 'false');
  }, 150));
  search.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      const first = list.querySelector('li');
      if (first) first.click();
    } else if (e.key === 'Escape') {
      search.value = '';
      renderList();
    }
  });

  for (const v of initial) {
    const item = byId.get(v.id);
    if (item) add(item, v);
  }
  renderChosen();
  const el = h('div', { class: 'picker', dataset: { picker: name } },
    h('label', { for: search.id }, title), h('div', { class: 'picker-box' }, search, list), rows);
  return {
    el,
    value: () => chosen.map((c) => ({ id: c.id, ...c.controls.read() })),
  };
}

// searchPicker({name, label, search(q) -> [items], keyOf, labelOf, initial: {key, label}})
//   -> {el, value(), onChange(fn)}: one record found by a server search
export function searchPicker({ name, label, placeholder, search, keyOf, labelOf, initial }) {
  const id = `sp${++pickerSeq}`;
  let current = initial && initial.key !== null && initial.key !== undefined ? initial : null;
  const changeFns = [];
  const inputEl = h('input', {
    type: 'search', id: `${id}-q`, name: `${name}__search`, placeholder, autocomplete: 'off', role: 'combobox',
    'aria-expanded': 'false', 'aria-controls': `${id}-list`, class: 'picker-search',
  });
  const hidden = h('input', { type: 'hidden', name, value: current ? current.key : '' });
  const list = h('ul', { id: `${id}-list`, role: 'listbox', class: 'picker-list', hidden: true });
  const shown = h('div', { class: 'picker-current' });
  let seq = 0;
  let timer = null;

  function renderCurrent() {
    clear(shown, current ? h('strong', null, current.label) : h('span', { class: 'muted' }, t('picked_none')));
    hidden.value = current ? current.key : '';
  }

  async function run() {
    const q = inputEl.value.trim();
    const mine = ++seq;
    let items = [];
    try {
      items = await search(q);
    } catch (e) {
      items = [];
    }
    if (mine !== seq) return;
    clear(list);
    for (const it of items.slice(0, 30)) {
      const opt = h('li', { role: 'option', tabindex: -1, dataset: { key: keyOf(it) } }, labelOf(it));
      opt.addEventListener('mousedown', (e) => e.preventDefault());
      opt.addEventListener('click', () => {
        current = { key: keyOf(it), label: labelOf(it), item: it };
        inputEl.value = '';
        list.hidden = true;
        renderCurrent();
        for (const fn of changeFns) fn(current);
      });
      list.append(opt);
    }
    list.hidden = !items.length;
    inputEl.setAttribute('aria-expanded', String(!list.hidden));
  }

  listKeys(list, inputEl);
  inputEl.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(run, 200);
  });
  inputEl.addEventListener('focus', () => { if (inputEl.value.trim()) run(); });
  inputEl.addEventListener('blur', () => setTimeout(() => {
    if (!list.contains(document.activeElement)) list.hidden = true;
  }, 150));
  inputEl.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      const first = list.querySelector('li');
      if (first && !list.hidden) first.click();
    }
  });
  renderCurrent();
  const el = h('div', { class: 'picker single', dataset: { picker: name } },
    h('label', { for: inputEl.id }, label), shown, h('div', { class: 'picker-box' }, inputEl, list), hidden);
  return {
    el,
    value: () => (current ? current.key : null),
    set: (v) => {
      current = v;
      renderCurrent();
    },
    onChange: (fn) => changeFns.push(fn),
  };
}
