// A record's history (变更记录): who changed what, from what to what, newest
// first, from GET /v1/{workers,households,vacancies}/{id}/history.  Values
// arrive masked as the audit log records them; hidden fields (the encrypted
// ID number, hashes, PINs) are shown as changed without a value.
import * as api from './api.js';
import { t, enumLabel, fieldLabel } from './i18n.js';
import { h, pagedTable, section, fmtDateTime } from './ui.js';

// fields whose values are enumerations, by the record they belong to
const ENUM_OF = {
  employment_status: 'employment_status', education: 'education', mandarin_level: 'mandarin_level',
  disability: 'disability', monitoring_status: 'monitoring_status', monitoring_found_by: 'monitoring_found_by',
  kind: 'kind', wage_period: 'wage_period', source: 'source', location_scope: 'location_scope',
  end_reason: 'end_reason', method: 'consent_method', level: 'skill_level',
};
const STATUS_OF = { application: 'application_status', vacancy: 'vacancy_status', early_warning_task: 'task_status' };
// the rows of a record that are not its own: the table and the key's parent part say enough
const SKIP_VALUES = new Set(['id', 'worker_id', 'vacancy_id', 'household_id']);

function valueText(resource, field, v) {
  if (v === null || v === undefined || v === '') return '—';
  if (typeof v === 'boolean') return v ? t('yes') : t('no');
  const kind = field === 'status' ? STATUS_OF[resource] : ENUM_OF[field];
  if (kind && typeof v !== 'object') return enumLabel(kind, v);
  if (Array.isArray(v)) return v.length ? v.join('、') : '—';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function changesView(e) {
  const d = e.detail || {};
  const hidden = new Set(d.hidden || []);
  const items = [];
  if (e.action === 'update') {
    for (const f of d.fields || []) {
      const c = (d.changes || {})[f];
      items.push(h('li', { dataset: { field: f } }, h('span', { class: 'fname' }, fieldLabel(f)), '：',
        c ? [h('span', { class: 'old' }, valueText(e.resource, f, c.old)), ' → ',
          h('span', { class: 'new' }, valueText(e.resource, f, c.new))]
          : h('span', { class: 'muted' }, hidden.has(f) ? t('history_hidden') : t('history_changed'))));
    }
  } else if (d.values) {
    for (const [f, v] of Object.entries(d.values)) {
      if (SKIP_VALUES.has(f)) continue;
      items.push(h('li', { dataset: { field: f } }, h('span', { class: 'fname' }, fieldLabel(f)), '：',
        valueText(e.resource, f, v)));
    }
    for (const f of hidden) items.push(h('li', { dataset: { field: f } }, fieldLabel(f), '：', h('span', { class: 'muted' }, t('history_hidden'))));
  }
  if (!items.length) return '—';
  const list = h('ul', { class: 'plain changes' }, items);
  // a record created shows all its values: folded when there are many
  return items.length > 4 && e.action !== 'update'
    ? h('details', null, h('summary', null, t('history_n_values', { n: items.length })), list) : list;
}

// The panel for the record at path ("/v1/workers/12"); its first page loads at once.
export function historyPanel(path, id) {
  const table = pagedTable([
    { label: t('history_at'), value: (e) => fmtDateTime(e.at) },
    { label: t('history_who'), value: (e) => `${e.actor_name}${e.actor_kind === 'staff' ? '' : `（${enumLabel('source', e.actor_kind)}）`}` },
    { label: t('history_what'), value: (e) => `${t(`history_res_${e.resource}`) === `history_res_${e.resource}` ? e.resource : t(`history_res_${e.resource}`)} · ${t(`history_${e.action}`)}` },
    { label: t('history_changes'), value: changesView },
  ], (cursor) => api.get(`${path}/history`, { limit: 20, cursor }), { empty: t('none'), rowClass: (e) => `history-${e.action}` });
  return section(t('history_title'), h('div', { id: id || 'history' }, table));
}
