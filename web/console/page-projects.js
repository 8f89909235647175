// Work-relief projects: list, one project with its posts and rollups,
// remuneration payments, and the bulk allocation of its open posts.
import * as api from './api.js';
import * as ref from './refdata.js';
import { t, enumLabel } from './i18n.js';
import {
  h, clear, table, pagedTable, field, input, numberInput, dateInput, select, section, facts, link,
  loading, onSubmit, str, toast, fmtInt, fmtMoney, fmtPct, meter, today,
} from './ui.js';
import { statusBadge } from './page-vacancies.js';
import { allocationPanel } from './page-allocation.js';

export async function list(ctx) {
  const q = ctx.query;
  const counties = await ref.siteCounties().catch(() => []);
  const form = h('form', { class: 'filters', id: 'project-search' },
    field(t('name'), input('q', q.q, { maxlength: 100 })),
    field(t('county'), select('county_code', counties, q.county_code, { empty: t('all_counties') })),
    field(t('funding'), select('funding', 'funding', q.funding, { empty: t('all') })),
    h('div', { class: 'buttons' }, h('button', { type: 'submit' }, t('search')), h('a', { class: 'button secondary', href: '#/projects' }, t('reset'))));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const fd = new FormData(form);
    ctx.go(`#/projects${api.query({ q: str(fd, 'q'), county_code: str(fd, 'county_code'), funding: str(fd, 'funding') })}`);
  });
  const cols = [
    { label: t('project'), value: (p) => link(`#/projects/${p.id}`, p.name) },
    { label: t('county'), value: (p) => p.county_name },
    { label: t('funding'), value: (p) => enumLabel('funding', p.funding) },
    { label: t('planned_jobs'), num: true, value: (p) => fmtInt(p.planned_jobs) },
    { label: t('jobs_filled'), num: true, value: (p) => fmtInt(p.jobs_filled) },
    { label: t('share_filled_by_relocated'), value: (p) => meter(p.share_filled_by_relocated, fmtPct(p.share_filled_by_relocated)) },
    { label: t('remuneration'), value: (p) => meter(p.remuneration_budget > 0 ? p.remuneration_paid / p.remuneration_budget : 0,
      `${fmtMoney(p.remuneration_paid)} / ${fmtMoney(p.remuneration_budget)}`) },
  ];
  const results = pagedTable(cols, (cursor) => api.get('/v1/work-relief-projects', { q: q.q, county_code: q.county_code, funding: q.funding, limit: 50, cursor }));
  clear(ctx.root, h('h1', null, t('projects_list_title')), form, results);
  await results.ready;
}

function paymentForm(ctx, p) {
  const errSlot = h('div');
  const key = api.newKey();
  const form = h('form', { class: 'grid-form', id: 'payment-form' },
    field(t('amount'), numberInput('amount', '', { min: 0.01, step: 0.01, required: true })),
    field(t('paid_on'), dateInput('paid_on', today(), { required: true, max: today() })),
    field(t('note'), input('note', '', { maxlength: 500 })),
    h('div', { class: 'buttons' }, h('button', { type: 'submit' }, t('save'))),
    h('div', { class: 'wide' }, errSlot));
  onSubmit(form, errSlot, async (fd) => {
    const body = { amount: Number(str(fd, 'amount')), paid_on: str(fd, 'paid_on') };
    if (str(fd, 'note')) body.note = str(fd, 'note');
    await api.post(`/v1/work-relief-projects/${p.id}/payments`, body, { idempotencyKey: key });
    toast(t('payment_saved'));
    ctx.refresh();
  });
  return section(t('payment_title'), form);
}

export async function detail(ctx) {
  const { root, params } = ctx;
  root.append(loading());
  const p = await api.get(`/v1/work-relief-projects/${params.id}`);
  const vacs = table([
    { label: t('vacancy'), value: (v) => link(`#/vacancies/${v.id}`, v.title) },
    { label: t('places'), num: true, value: (v) => `${fmtInt(v.headcount)} / ${fmtInt(v.filled)}` },
    { label: t('status'), value: (v) => statusBadge(v.status) },
  ], p.vacancies || [], { empty: t('none') });
  clear(root,
    h('div', { class: 'page-head' }, h('h1', { id: 'project-name' }, p.name),
      h('div', { class: 'actions' },
        h('a', { class: 'button secondary', id: 'project-payroll', href: `#/projects/${p.id}/payroll` }, t('payroll')),
        ctx.can('vacancies:write') ? h('a', { class: 'button secondary', href: `#/vacancies/new?kind=work_relief&county_code=${p.county_code}&project_id=${p.id}` }, t('new_vacancy')) : null)),
    section(t('profile'), facts([
      [t('county'), p.county_name],
      [t('funding'), enumLabel('funding', p.funding)],
      [t('total_investment'), fmtMoney(p.total_investment)],
      [t('remuneration_budget'), `${fmtMoney(p.remuneration_budget)}（${fmtPct(p.remuneration_share)}）`],
      [t('remuneration_paid'), meter(p.remuneration_budget > 0 ? p.remuneration_paid / p.remuneration_budget : 0, fmtMoney(p.remuneration_paid))],
      [t('planned_jobs'), fmtInt(p.planned_jobs)],
      [t('jobs_filled'), fmtInt(p.jobs_filled)],
      [t('share_filled_by_relocated'), `${fmtInt(p.filled_by_relocated)} · ${fmtPct(p.share_filled_by_relocated)}`],
      [t('start_date'), `${p.start_date || '—'} – ${p.end_date || ''}`],
    ])),
    section(t('project_vacancies'), vacs),
    await allocationPanel(ctx, p),
    ctx.can('projects:write') ? paymentForm(ctx, p) : null);
  root.dataset.loaded = 'project';
}


