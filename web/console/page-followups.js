// Follow-ups due this week (and overdue) with a form to record one; one
// placement with its follow-up plan and ending it.
import * as api from './api.js';
import * as ref from './refdata.js';
import { t, enumLabel } from './i18n.js';
import {
  h, clear, table, pagedTable, field, input, numberInput, dateInput, select, textarea, section, facts, badge, link,
  loading, onSubmit, str, int, toast, fmtWage, fmtDateTime, formDialog, today, sundayOfThisWeek, notice, yesNo,
} from './ui.js';

// The form of one follow-up; resolves true once it is recorded
export function recordFollowup(f) {
  return formDialog(`${t('record_followup')} · ${f.worker_name || ''} · ${t('month_n', { n: f.due_month })}`, () => h('div', { class: 'grid-form', id: 'followup-form' },
    h('fieldset', { class: 'wide' }, h('legend', null, t('still_employed')),
      h('div', { class: 'checks' },
        h('label', null, h('input', { type: 'radio', name: 'still_employed', value: 'true', checked: true, required: true }), t('yes')),
        h('label', null, h('input', { type: 'radio', name: 'still_employed', value: 'false' }), t('no')))),
    field(t('current_wage'), numberInput('wage', '', { min: 0, max: 1000000 })),
    field(t('left_on'), dateInput('ended_on', '', { max: today() })),
    field(t('end_reason'), select('end_reason', 'end_reason', '', { empty: '—' })),
    h('div', { class: 'wide' }, field(t('problems'), textarea('problems', '', { maxlength: 1000, rows: 2 }))),
    h('div', { class: 'wide' }, field(t('note'), textarea('note', '', { maxlength: 1000, rows: 2 })))),
  async (form) => {
    const fd = new FormData(form);
    const body = { still_employed: str(fd, 'still_employed') === 'true' };
    if (int(fd, 'wage') !== null) body.wage = int(fd, 'wage');
    if (str(fd, 'problems')) body.problems = str(fd, 'problems');
    if (str(fd, 'note')) body.note = str(fd, 'note');
    // the worker has left: the follow-up ends the placement (on this day, for this reason)
    if (!body.still_employed && str(fd, 'ended_on')) body.ended_on = str(fd, 'ended_on');
    if (!body.still_employed && str(fd, 'end_reason')) body.end_reason = str(fd, 'end_reason');
    const r = await api.post(`/v1/placements/${f.placement_id}/followups/${f.due_month}`, body);
    toast(r && r.early_warning_task ? t('followup_job_lost') : t('followup_saved'));
    return true;
  });
}

export async function list(ctx) {
  const q = ctx.query;
  const sunday = sundayOfThisWeek();
  const counties = await ref.siteCounties().catch(() => []);
  const form = h('form', { class: 'filters', id: 'followup-filters' },
    field(t('county'), select('county_code', counties, q.county_code, { empty: t('all_counties') })),
    h('div', { class: 'buttons' }, h('button', { type: 'submit' }, t('search'))));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    ctx.go(`#/followups${api.query({ county_code: str(new FormData(form), 'county_code') })}`);
  });
  const writable = ctx.can('placements:write');
  const cols = [
    { label: t('worker'), value: (f) => link(`#/workers/${f.worker_id}`, f.worker_name || `#${f.worker_id}`) },
    { label: t('vacancy'), value: (f) => link(`#/placements/${f.placement_id}`, f.vacancy_title || `#${f.vacancy_id}`) },
    { label: t('due_month'), value: (f) => t('month_n', { n: f.due_month }) },
    { label: t('due_on'), value: (f) => [f.due_on, f.overdue ? [' ', badge(t('overdue'), 'bad')] : null] },
    { label: t('status'), value: (f) => (f.done ? badge(t('done'), 'ok') : badge(t('not_done'))) },
  ];
  if (writable) {
    cols.push({ label: t('actions'), value: (f) => {
      if (f.done) return `${yesNo(f.still_employed)} · ${f.recorded_by || ''}`;
      const b = h('button', { type: 'button', class: 'small', dataset: { placement: f.placement_id, month: f.due_month } }, t('record'));
      b.addEventListener('click', async () => {
        if (await recordFollowup(f)) {
          const row = b.closest('tr');
          row.classList.add('done');
          clear(row.querySelector('td:nth-child(5)'), badge(t('done'), 'ok'));
          b.replaceWith(t('followup_saved'));
        }
      });
      return b;
    } });
  }
  const results = pagedTable(cols, (cursor) => api.get('/v1/followups',
    { done: 'false', due_before: sunday, county_code: q.county_code, sort: 'due_on', limit: 50, cursor }), { empty: t('none') });
  clear(ctx.root, h('h1', null, t('followups_title')), h('p', { class: 'muted' }, t('followups_hint', { d: sunday })), form, results);
  await results.ready;
}

function endForm(ctx, p) {
  const errSlot = h('div');
  const out = h('div');
  const form = h('form', { class: 'grid-form', id: 'end-placement' },
    field(t('ended_on'), dateInput('ended_on', today(), { required: true, max: today() })),
    field(t('end_reason'), select('end_reason', 'end_reason', 'contract_ended')),
    h('div', { class: 'wide' }, field(t('note'), input('note', '', { maxlength: 1000 }))),
    h('div', { class: 'buttons' }, h('button', { type: 'submit', class: 'danger' }, t('end_placement'))),
    h('div', { class: 'wide' }, errSlot, out));
  onSubmit(form, errSlot, async (fd) => {
    const body = { ended_on: str(fd, 'ended_on'), end_reason: str(fd, 'end_reason') };
    if (str(fd, 'note')) body.note = str(fd, 'note');
    const r = await api.post(`/v1/placements/${p.id}/end`, body);
    toast(t('ended_msg'));
    if (r.early_warning_task) {
      ctx.go(`#/tasks?status=open&household_id=${r.early_warning_task.household_id}`);
    } else ctx.refresh();
  });
  return section(t('end_placement'), form);
}

export async function placement(ctx) {
  const { root, params } = ctx;
  root.append(loading());
  const p = await api.get(`/v1/placements/${params.id}`);
  const writable = ctx.can('placements:write');
  const plan = table([
    { label: t('due_month'), value: (f) => t('month_n', { n: f.due_month }) },
    { label: t('due_on'), value: (f) => [f.due_on, f.overdue ? [' ', badge(t('overdue'), 'bad')] : null] },
    { label: t('status'), value: (f) => (f.done ? badge(t('done'), 'ok') : badge(t('not_done'))) },
    { label: t('still_employed'), value: (f) => (f.done ? yesNo(f.still_employed) : '—') },
    { label: t('current_wage'), value: (f) => (f.wage === null || f.wage === undefined ? '—' : String(f.wage)) },
    { label: t('problems'), value: (f) => [f.problems || '', f.note ? ` ${f.note}` : ''] },
    { label: t('recorded_label'), value: (f) => (f.done ? `${f.recorded_by || ''} ${fmtDateTime(f.done_at)}` : '') },
    { label: t('actions'), value: (f) => {
      if (f.done || !writable || !p.active) return '';
      const b = h('button', { type: 'button', class: 'small', dataset: { month: f.due_month } }, t('record'));
      b.addEventListener('click', async () => {
        if (await recordFollowup({ ...f, placement_id: p.id, worker_name: p.worker_name })) ctx.refresh();
      });
      return b;
    } },
  ], p.followups || []);
  clear(root,
    h('div', { class: 'page-head' }, h('h1', null, `${t('placement')} · ${p.worker_name || ''}`),
      p.active ? badge(t('active'), 'ok') : badge(`${t('ended')} ${p.ended_on}`, 'warn')),
    section(t('profile'), facts([
      [t('worker'), link(`#/workers/${p.worker_id}`, p.worker_name || `#${p.worker_id}`)],
      [t('household'), link(`#/households/${p.household_id}`, t('household_n', { id: p.household_id }))],
      [t('vacancy'), link(`#/vacancies/${p.vacancy_id}`, p.vacancy_title || `#${p.vacancy_id}`)],
      [t('employer'), p.employer_name || '—'],
      [t('kind_label'), enumLabel('kind', p.vacancy_kind)],
      [t('location_label'), enumLabel('location_scope', p.location_scope)],
      [t('start_date'), p.start_date],
      [t('wage'), fmtWage(p.wage, p.wage, p.wage_period)],
      p.active ? null : [t('end_reason'), `${enumLabel('end_reason', p.end_reason)} ${p.end_note || ''}`],
    ])),
    section(t('followups_plan'), plan),
    writable && p.active ? endForm(ctx, p) : null,
    p.active ? null : notice(t('ended_msg'), 'info'));
  root.dataset.loaded = 'placement';
}
