// Department lists (部门信息比对): import another department's list (CSV of
// ID number, flag and date) and see the people of the county whose status
// there disagrees with Leye's, opening early-warning visits for one, the
// selected or all of them. Lists are deleted when their retention ends
// (LEYE_DEPARTMENT_LIST_DAYS), so each page says when.
import * as api from './api.js';
import * as ref from './refdata.js';
import { t, getLang, enumLabel, fieldLabel } from './i18n.js';
import {
  h, clear, table, field, input, select, section, facts, badge, link, loading, onSubmit, str, toast,
  fmtInt, fmtDateTime, notice, showError,
} from './ui.js';

const S = {
  title: ['部门信息比对', 'Department lists'],
  hint: ['导入民政、医保、人社等部门的名单（身份证号、标识、日期），乐业按身份证号比对本县搬迁群众，列出两边状态不一致的人。名单只保存身份证号的索引，到期自动删除。',
    'Import another department\'s list (ID number, flag, date): Leye compares it with the county\'s people and lists those whose status there disagrees with Leye\'s. Only an index of each ID number is kept, and the list is deleted when its retention ends.'],
  import: ['导入名单', 'Import a list'],
  department: ['来源部门', 'Department'],
  list_name: ['名单名称', 'List name'],
  list_name_hint: ['例如：2025 年 5 月低保名单', 'e.g. May 2025 minimum-living-allowance list'],
  county: ['比对县（区）', 'County compared'],
  file_hint: ['列：身份证号、标识（低保、特困、困难、医疗救助；登记失业；就业、参保就业）、日期。UTF-8 或 GBK 编码。',
    'Columns: 身份证号/id_number, 标识/flag (低保, 特困, 困难, 医疗救助 or hardship; 登记失业 or unemployed; 就业 or employed), 日期/flag_date. UTF-8 or GBK.'],
  go: ['导入并比对', 'Import and compare'],
  imported: ['名单已导入并完成比对。', 'The list is imported and compared.'],
  lists: ['已导入的名单', 'Lists imported'],
  rows: ['名单人数', 'Rows'],
  matched: ['本县在册', 'People of the county'],
  disagreements: ['状态不一致', 'Disagreements'],
  imported_by: ['导入人', 'Imported by'],
  imported_at: ['导入时间', 'Imported at'],
  expires_at: ['删除时间', 'Deleted at'],
  expires_note: ['本名单将于 {at} 自动删除，删除后比对结果不再可查（已开启的走访任务保留）。',
    'This list will be deleted on {at}; its comparison is then gone (visits already opened stay).'],
  view: ['查看比对结果', 'See the comparison'],
  none_lists: ['还没有导入名单', 'No lists imported yet'],
  none_disagree: ['名单上的本县人员与乐业记录一致', 'Everyone of the county on the list agrees with Leye'],
  worker: ['姓名', 'Name'],
  id_number: ['身份证号', 'ID number'],
  household: ['搬迁户', 'Household'],
  site: ['安置点', 'Site'],
  leye_says: ['乐业记录', 'Leye says'],
  list_says: ['名单记录', 'The list says'],
  flag_date: ['名单日期', 'Date on the list'],
  disagreement: ['不一致情况', 'Disagreement'],
  task: ['走访任务', 'Visit'],
  task_open: ['已开启', 'Open'],
  open_one: ['开启走访', 'Open a visit'],
  open_selected: ['为选中人员开启走访', 'Open visits for the selected'],
  open_all: ['全部开启走访', 'Open visits for all'],
  opened: ['已开启 {n} 个走访任务（7 天内走访）', '{n} visits opened (due within 7 days)'],
  opened_none: ['没有需要新开启的走访任务', 'No new visits to open'],
  choose_some: ['请先勾选人员。', 'Select someone first.'],
  select_row: ['选择', 'Select'],
  see_tasks: ['查看预警走访', 'See the early-warning visits'],
  monitored: ['监测户', 'monitored'],
  not_monitored: ['非监测户', 'not monitored'],
};
function L(k, params) {
  let s = (S[k] || [k, k])[getLang() === 'en' ? 1 : 0];
  for (const [n, v] of Object.entries(params || {})) s = s.replace(`{${n}}`, String(v));
  return s;
}

const DEPARTMENTS = {
  civil_affairs: ['民政', 'Civil affairs'],
  medical_insurance: ['医疗保障', 'Medical insurance'],
  human_resources: ['人力资源和社会保障', 'Human resources and social security'],
  rural_revitalization: ['乡村振兴', 'Rural revitalization'],
  other: ['其他部门', 'Other'],
};
const FLAGS = {
  hardship: ['困难（低保、特困等）', 'Hardship (allowance, aid)'],
  unemployed: ['登记失业', 'Registered unemployed'],
  employed: ['就业（参保）', 'Employed (insured)'],
};
const DISAGREEMENTS = {
  employed_here_hardship_there: ['乐业记为就业，名单上为困难', 'Employed here, on a hardship list there'],
  not_monitored_here_hardship_there: ['名单上为困难，乐业未纳入监测', 'On a hardship list there, not monitored here'],
  employed_here_unemployed_there: ['乐业记为就业，名单上为登记失业', 'Employed here, registered unemployed there'],
  seeking_here_employed_there: ['乐业记为求职，名单上为就业', 'Seeking work here, employed there'],
};
function word(table_, v) {
  const w = table_[v];
  return w ? w[getLang() === 'en' ? 1 : 0] : String(v || '—');
}

async function countyNames() {
  const list = await ref.siteCounties().catch(() => []);
  return new Map(list);
}

// The faults of a refused file: line, column, reason
function badRows(problem) {
  const rows = problem.errors || [];
  return h('div', { id: 'deptlist-report', dataset: { ok: 'false' } },
    h('div', { class: 'error', role: 'alert' }, t('import_refused')),
    section(t('bad_rows'), table([
      { label: t('line'), num: true, value: (e) => String(e.line) },
      { label: t('column'), value: (e) => fieldLabel(e.field) || String(e.column || '').split('|')[0] || '—' },
      { label: t('problem'), value: (e) => e.message || e.code },
    ], rows, { caption: null })));
}

function imported(l) {
  return h('div', { id: 'deptlist-report', dataset: { ok: 'true', list: String(l.id) } },
    notice(L('imported'), 'ok'),
    facts([
      [L('rows'), fmtInt(l.rows)], [L('matched'), fmtInt(l.matched)],
      [L('disagreements'), h('strong', { id: 'deptlist-disagreements' }, fmtInt(l.disagreements))],
      [L('expires_at'), fmtDateTime(l.expires_at)],
    ]),
    h('div', { class: 'buttons' }, h('a', { class: 'button', href: `#/department-lists/${l.id}`, id: 'deptlist-view' }, L('view'))));
}

// The import form; onImported runs after a list is kept
function importForm(counties, onImported) {
  const errSlot = h('div');
  const out = h('div');
  const fileInput = h('input', { type: 'file', name: 'file', accept: '.csv,text/csv', required: true, id: 'deptlist-file' });
  const form = h('form', { class: 'grid-form', id: 'deptlist-form' },
    field(L('department'), select('department', Object.keys(DEPARTMENTS).map((k) => [k, word(DEPARTMENTS, k)]), 'civil_affairs')),
    field(L('list_name'), input('name', '', { maxlength: 100, required: true, placeholder: L('list_name_hint') })),
    field(L('county'), select('county_code', [...counties.entries()].map(([c, n]) => [c, `${n || c}（${c}）`]), '', { attrs: { required: true } })),
    h('div', { class: 'wide' }, field(t('import_file'), fileInput, L('file_hint'))),
    h('div', { class: 'wide' }, errSlot),
    h('div', { class: 'buttons wide' }, h('button', { type: 'submit' }, L('go'))));
  onSubmit(form, errSlot, async (fd) => {
    clear(out);
    const file = fileInput.files[0];
    if (!file) {
      clear(errSlot, h('div', { class: 'error', role: 'alert' }, t('import_choose')));
      return;
    }
    const r = await api.upload('/v1/imports/department-list', file,
      { department: str(fd, 'department'), name: str(fd, 'name'), county_code: str(fd, 'county_code') });
    out.append(r.ok ? imported(r.report) : badRows(r.report));
    if (r.ok) await onImported().catch(() => {});
  });
  return [section(L('import'), form), out];
}

function listsTable(lists, counties) {
  return table([
    { label: L('list_name'), value: (l) => link(`#/department-lists/${l.id}`, l.name) },
    { label: L('department'), value: (l) => word(DEPARTMENTS, l.department) },
    { label: L('county'), value: (l) => counties.get(l.county_code) || String(l.county_code) },
    { label: L('rows'), num: true, value: (l) => fmtInt(l.rows) },
    { label: L('matched'), num: true, value: (l) => fmtInt(l.matched) },
    { label: L('disagreements'), num: true, value: (l) => (l.disagreements ? badge(fmtInt(l.disagreements), 'warn') : '0') },
    { label: L('imported_at'), value: (l) => `${fmtDateTime(l.imported_at)} · ${l.imported_by || ''}` },
    { label: L('expires_at'), value: (l) => fmtDateTime(l.expires_at) },
  ], lists.items || [], { empty: L('none_lists') });
}

export async function list(ctx) {
  const { root } = ctx;
  root.append(loading());
  const [lists, counties] = await Promise.all([api.get('/v1/department-lists'), countyNames()]);
  const shown = h('div', { id: 'deptlist-lists' }, listsTable(lists, counties));
  const reload = async () => clear(shown, listsTable(await api.get('/v1/department-lists'), counties));
  clear(root, h('h1', null, L('title')), h('p', { class: 'muted' }, L('hint')),
    ctx.can('department_lists:write') ? importForm(counties, reload) : null,
    section(L('lists'), shown));
  root.dataset.loaded = 'deptlists';
}

function leyeSays(d) {
  return `${enumLabel('employment_status', d.employment_status)} · ${d.monitored ? L('monitored') : L('not_monitored')}`;
}

export async function detail(ctx) {
  const { root, params } = ctx;
  root.append(loading());
  const [l, counties, sites] = await Promise.all([
    api.get(`/v1/department-lists/${params.id}`), countyNames(), ref.sites().catch(() => [])]);
  const siteName = (id) => (sites.find((x) => x.id === id) || { name: `#${id}` }).name;
  const writable = ctx.can('department_lists:write');
  const items = l.items || [];
  const errSlot = h('div', { id: 'deptlist-task-error' });
  const openTasks = async (workerIds) => {
    showError(errSlot, null);
    try {
      const r = await api.post(`/v1/department-lists/${l.id}/tasks`, workerIds ? { worker_ids: workerIds } : {});
      toast(r.opened ? L('opened', { n: r.opened }) : L('opened_none'));
      ctx.refresh();
    } catch (e) {
      showError(errSlot, e);
    }
  };
  const cols = [];
  if (writable) {
    cols.push({ label: L('select_row'), value: (d) => h('input', {
      type: 'checkbox', class: 'pick', disabled: d.task_open, 'aria-label': `${L('select_row')} ${d.name}`, dataset: { worker: String(d.worker_id) } }) });
  }
  cols.push(
    { label: L('worker'), value: (d) => link(`#/workers/${d.worker_id}`, d.name || `#${d.worker_id}`) },
    { label: L('id_number'), value: (d) => d.id_number_masked || '—' },
    { label: L('household'), value: (d) => link(`#/households/${d.household_id}`, t('household_n', { id: d.household_id })) },
    { label: L('site'), value: (d) => siteName(d.site_id) },
    { label: L('leye_says'), key: 'leye', value: (d) => leyeSays(d) },
    { label: L('list_says'), key: 'list', value: (d) => word(FLAGS, d.flag) },
    { label: L('flag_date'), key: 'date', class: 'nowrap', value: (d) => d.flag_date },
    { label: L('disagreement'), key: 'why', value: (d) => badge(word(DISAGREEMENTS, d.disagreement), 'warn') },
    { label: L('task'), key: 'task', value: (d) => {
      if (d.task_open) return badge(L('task_open'), 'ok');
      if (!writable) return '—';
      const b = h('button', { type: 'button', class: 'small', dataset: { open: String(d.worker_id) } }, L('open_one'));
      b.addEventListener('click', () => openTasks([d.worker_id]));
      return b;
    } });
  const tbl = table(cols, items, { empty: L('none_disagree'), rowClass: () => 'disagreement' });
  tbl.id = 'deptlist-items';
  [...tbl.tBodies[0].rows].forEach((tr, i) => { if (items[i]) tr.dataset.worker = String(items[i].worker_id); });
  const tasksLink = h('a', { class: 'button secondary', href: '#/tasks?status=open' }, L('see_tasks'));
  let buttons = items.some((d) => d.task_open) ? h('div', { class: 'buttons' }, tasksLink) : null;
  if (writable && items.some((d) => !d.task_open)) {
    const selected = h('button', { type: 'button', id: 'deptlist-open-selected' }, L('open_selected'));
    selected.addEventListener('click', () => {
      const ids = [...tbl.querySelectorAll('input.pick:checked')].map((c) => Number(c.dataset.worker));
      if (!ids.length) {
        clear(errSlot, h('div', { class: 'error', role: 'alert' }, L('choose_some')));
        return;
      }
      openTasks(ids);
    });
    const all = h('button', { type: 'button', class: 'secondary', id: 'deptlist-open-all' }, L('open_all'));
    all.addEventListener('click', () => openTasks(null));
    buttons = h('div', { class: 'buttons' }, selected, all, tasksLink);
  }
  clear(root,
    h('div', { class: 'page-head' }, h('h1', { id: 'deptlist-title' }, `${L('title')} · ${l.name}`),
      h('div', { class: 'actions' }, link('#/department-lists', L('lists')))),
    notice(L('expires_note', { at: fmtDateTime(l.expires_at) }), 'info'),
    section(l.name, facts([
      [L('department'), word(DEPARTMENTS, l.department)],
      [L('county'), counties.get(l.county_code) || String(l.county_code)],
      [L('rows'), fmtInt(l.rows)], [L('matched'), fmtInt(l.matched)],
      [L('disagreements'), fmtInt(l.disagreements)],
      [L('imported_at'), `${fmtDateTime(l.imported_at)} · ${l.imported_by || ''}`],
      [L('expires_at'), h('span', { id: 'deptlist-expires' }, fmtDateTime(l.expires_at))],
    ])),
    section(L('disagreements'), tbl, errSlot, buttons));
  root.dataset.loaded = 'deptlist';
}
