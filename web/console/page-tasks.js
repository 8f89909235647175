// Early-warning visits owed to households that lost a job: list, and record
// the visit (PATCH with If-Match), closing the task when it is done.
import * as api from './api.js';
import * as ref from './refdata.js';
import { t, enumLabel } from './i18n.js';
import { h, clear, pagedTable, field, input, checkbox, select, textarea, badge, link, str, toast, formDialog, fmtDateTime } from './ui.js';

function recordVisit(ctx, task) {
  return formDialog(`${t('record_visit')} · ${t('household_n', { id: task.household_id })}`, () => h('div', { class: 'grid-form', id: 'visit-form' },
    field(t('assignee'), input('assignee', task.assignee || ctx.me.username, { maxlength: 50 })),
    h('div', { class: 'wide' }, field(t('visit_note'), textarea('visit_note', task.visit_note, { maxlength: 2000, rows: 4, required: true }))),
    h('div', { class: 'wide' }, field(t('close_task'), checkbox('close', true)))),
  async (form) => {
    const fd = new FormData(form);
    const { etag } = await api.getRecord(`/v1/early-warning-tasks/${task.id}`);
    const body = { assignee: str(fd, 'assignee'), visit_note: str(fd, 'visit_note') };
    if (fd.get('close')) body.status = 'closed';
    const r = await api.patch(`/v1/early-warning-tasks/${task.id}`, body, etag);
    toast(t('visit_saved'));
    return r.data;
  });
}

export async function list(ctx) {
  const q = ctx.query;
  const counties = await ref.siteCounties().catch(() => []);
  const form = h('form', { class: 'filters', id: 'task-filters' },
    field(t('status'), select('status', 'task_status', q.status ?? 'open', { empty: t('all') })),
    field(t('county'), select('county_code', counties, q.county_code, { empty: t('all_counties') })),
    field(t('only_overdue'), checkbox('overdue', q.overdue === 'true', { value: 'true' })),
    h('div', { class: 'buttons' }, h('button', { type: 'submit' }, t('search')), h('a', { class: 'button secondary', href: '#/tasks' }, t('reset'))));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const fd = new FormData(form);
    ctx.go(`#/tasks${api.query({ status: str(fd, 'status') || 'all', county_code: str(fd, 'county_code'), overdue: fd.get('overdue') ? 'true' : '', household_id: q.household_id })}`);
  });
  const writable = ctx.can('tasks:write');
  const cols = [
    { label: t('household'), value: (x) => link(`#/households/${x.household_id}`, t('household_n', { id: x.household_id })) },
    { label: t('task_reason'), value: (x) => [enumLabel('task_reason', x.reason), x.help_reason ? ` · ${enumLabel('help_reason', x.help_reason)}` : ''] },
    { label: t('due_on'), value: (x) => [x.due_on, x.overdue ? [' ', badge(t('overdue'), 'bad')] : null] },
    { label: t('assignee'), value: (x) => x.assignee || '—' },
    { label: t('status'), value: (x) => badge(enumLabel('task_status', x.status), x.status === 'closed' ? 'ok' : 'warn') },
    { label: t('visit_note'), value: (x) => [x.visit_note || '', x.closed_at ? h('div', { class: 'muted' }, fmtDateTime(x.closed_at)) : null] },
  ];
  if (writable) {
    cols.push({ label: t('actions'), value: (x) => {
      if (x.status !== 'open') return '';
      const b = h('button', { type: 'button', class: 'small', dataset: { task: x.id } }, t('record_visit'));
      b.addEventListener('click', async () => {
        const r = await recordVisit(ctx, x);
        if (r) ctx.refresh();
      });
      return b;
    } });
  }
  const status = q.status === 'all' ? undefined : q.status ?? 'open';
  const results = pagedTable(cols, (cursor) => api.get('/v1/early-warning-tasks',
    { status, county_code: q.county_code, overdue: q.overdue, household_id: q.household_id, sort: 'due_on', limit: 50, cursor }), { empty: t('none') });
  clear(ctx.root, h('h1', null, t('tasks_title')), form, results);
  await results.ready;
}
