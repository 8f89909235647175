// The monitoring dashboard: figures, charts and the lists to act on, for the
// province, a county or a site (GET /v1/reports/dashboard).
import * as api from './api.js';
import * as ref from './refdata.js';
import { t, enumLabel, getLang } from './i18n.js';
import { h, clear, fmtInt, fmtPct, fmtMoney, table, select, loading, link, badge, meter, section } from './ui.js';
import { barChart, lineChart } from './charts.js';

function card(key, label, value, sub, href) {
  const body = [h('div', { class: 'label' }, label), h('div', { class: 'value' }, value), sub ? h('div', { class: 'sub' }, sub) : null];
  return href ? h('a', { class: 'card link-card', href, dataset: { figure: key } }, body) : h('div', { class: 'card', dataset: { figure: key } }, body);
}

async function countyChoices(ctx) {
  const all = await ref.counties();
  const mine = ctx.me.county_codes && ctx.me.county_codes.length ? all.filter((c) => ctx.me.county_codes.includes(c.code)) : all;
  if (ctx.can('sites:read')) {
    const withSites = new Set((await ref.sites()).map((st) => st.county_code));
    return mine.filter((c) => withSites.has(c.code)).map((c) => [c.code, c.name]);
  }
  return mine.map((c) => [c.code, c.name]);
}

async function siteChoices(ctx, county, data) {
  if (ctx.can('sites:read')) {
    return (await ref.sites()).filter((st) => !county || st.county_code === Number(county)).map((st) => [st.id, st.name]);
  }
  return county ? (data.by_site || []).map((b) => [b.site_id, b.site_name]) : [];
}

function filterForm(ctx, counties, sites) {
  const q = ctx.query;
  const countySel = select('county_code', counties, q.county_code, { empty: t('all_counties') });
  const siteSel = select('site_id', sites, q.site_id, { empty: t('all_sites') });
  countySel.addEventListener('change', () => ctx.go(`#/dashboard${api.query({ county_code: countySel.value })}`));
  siteSel.addEventListener('change', () => ctx.go(`#/dashboard${api.query({ county_code: countySel.value, site_id: siteSel.value })}`));
  return h('form', { class: 'filters', id: 'dash-filters' },
    h('div', { class: 'field' }, h('label', { for: 'dash-county' }, t('county')), Object.assign(countySel, { id: 'dash-county' })),
    h('div', { class: 'field' }, h('label', { for: 'dash-site' }, t('site')), Object.assign(siteSel, { id: 'dash-site' })));
}

function figures(ctx, d, q) {
  const tt = d.totals || {};
  const canHh = ctx.can('households:read');
  const scopeQ = { county_code: q.county_code, site_id: q.site_id };
  return h('div', { class: 'cards', id: 'dash-cards' },
    card('labor_force', t('labor_force'), fmtInt(tt.labor_force)),
    card('employed', t('employed'), fmtInt(tt.employed),
      `${t('employed_local')} ${fmtInt(tt.employed_local)} · ${t('employed_outside_county')} ${fmtInt(tt.employed_outside_county)} · ${t('employed_outside_province')} ${fmtInt(tt.employed_outside_province)}`),
    card('employment_rate', t('employment_rate'), fmtPct(tt.employment_rate)),
    card('households', t('households'), fmtInt(d.households)),
    card('zero_employment_households', t('zero_employment_households'), fmtInt(d.zero_employment_households), null,
      canHh ? `#/households${api.query({ ...scopeQ, zero_employment: 'true' })}` : null),
    card('monitored_households', t('monitored_households'), fmtInt(d.monitored_households), null,
      canHh ? `#/households${api.query({ ...scopeQ, monitored: 'true' })}` : null),
    card('monitored_nobody_employed', t('monitored_nobody_employed_card'), fmtInt(d.monitored_nobody_employed), null,
      canHh ? `#/households${api.query({ ...scopeQ, monitored: 'true', zero_employment: 'true' })}` : null),
    card('followups_overdue', t('followups_overdue'), fmtInt(d.followups_overdue), null,
      ctx.can('placements:read') ? '#/followups' : null),
    card('left_job_90d', t('left_job_90d'), fmtInt(d.left_job_90d), t('left_job_90d_households', { n: fmtInt(d.left_job_90d_households) })),
    card('warning_tasks_open', t('warning_tasks'), fmtInt(d.warning_tasks_open),
      `${t('overdue')} ${fmtInt(d.warning_tasks_overdue)} · ${t('warning_opened_90d', { n: fmtInt(d.warning_tasks_opened_90d) })}`,
      ctx.can('tasks:read') ? '#/tasks?status=open' : null));
}

const MONTHS_EN = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
function monthShort(ym) {
  const m = Number(ym.slice(5, 7));
  return getLang() === 'en' ? MONTHS_EN[m - 1] : `${m}月`;
}

function charts(d) {
  const bySite = (d.by_site || []).map((b) => ({ label: b.site_name, value: b.employment_rate,
    title: `${b.site_name} (${fmtInt(b.employed)}/${fmtInt(b.labor_force)})` }));
  const trend = (d.trend || []).map((p) => ({ label: p.month, short: monthShort(p.month), value: p.employment_rate,
    note: `${fmtInt(p.employed)}/${fmtInt(p.labor_force)}` }));
  const kinds = Object.entries(d.kinds || {}).sort((a, b) => b[1] - a[1]).map(([k, n]) => ({ label: enumLabel('kind', k), value: n }));
  return h('div', { class: 'charts', id: 'dash-charts' },
    barChart(t('chart_by_site'), bySite, { max: 1, format: (v) => fmtPct(v), kind: 'rate' }),
    lineChart(t('chart_trend'), trend, { max: 1, format: (v) => fmtPct(v), tick: (v) => fmtPct(v, 0) }),
    barChart(t('chart_kinds'), kinds, { format: (v) => fmtInt(v), kind: 'count' }));
}

function zeroList(ctx, d, q) {
  const canHh = ctx.can('households:read');
  const cols = [
    { label: t('ref'), value: (r) => (canHh ? link(`#/households/${r.id}`, r.ref || `#${r.id}`) : r.ref || `#${r.id}`) },
    { label: t('site'), value: (r) => r.site_name },
    { label: t('members'), num: true, value: (r) => fmtInt(r.members) },
    { label: t('labor_count'), num: true, value: (r) => fmtInt(r.labor_count) },
    { label: t('status'), value: (r) => (r.monitoring_status !== 'none'
      ? badge(enumLabel('monitoring_status', r.monitoring_status), 'warn') : enumLabel('monitoring_status', 'none')) },
  ];
  const rows = d.zero_employment_list || [];
  const foot = [];
  if (d.zero_employment_households > rows.length) foot.push(h('p', { class: 'muted' }, t('zero_list_more', { n: fmtInt(d.zero_employment_households) })));
  if (canHh) {
    foot.push(h('p', null, link(`#/households${api.query({ county_code: q.county_code, site_id: q.site_id, zero_employment: 'true' })}`, t('zero_list_all')),
      ' · ', link(`#/households${api.query({ county_code: q.county_code, site_id: q.site_id, monitored: 'true', zero_employment: 'true' })}`,
        `${t('monitored_list_link')} (${fmtInt(d.monitored_nobody_employed)})`)));
  }
  const tbl = table(cols, rows, { empty: t('none') });
  tbl.id = 'zero-list';
  const FIRST = 12;
  if (rows.length > FIRST) {
    const hidden = [...tbl.tBodies[0].rows].slice(FIRST);
    hidden.forEach((tr) => { tr.hidden = true; });
    const all = h('button', { type: 'button', class: 'link' }, t('show_all_n', { n: rows.length }));
    all.addEventListener('click', () => {
      hidden.forEach((tr) => { tr.hidden = false; });
      all.remove();
    });
    foot.unshift(h('p', null, all));
  }
  return section(t('zero_list_title'), tbl, foot);
}

function tasksDue(ctx, d) {
  const canHh = ctx.can('households:read');
  const cols = [
    { label: t('household'), value: (r) => (canHh ? link(`#/households/${r.household_id}`, t('household_n', { id: r.household_id })) : r.household_id) },
    { label: t('task_reason'), value: (r) => enumLabel('task_reason', r.reason) },
    { label: t('due_on'), value: (r) => [r.due_on, r.overdue ? [' ', badge(t('overdue'), 'bad')] : null] },
    { label: t('assignee'), value: (r) => r.assignee || '—' },
  ];
  if (ctx.can('tasks:write')) cols.push({ label: t('actions'), value: (r) => link(`#/tasks?status=open&household_id=${r.household_id}`, t('record_visit')) });
  return section(t('tasks_due_title'), table(cols, d.warning_tasks_due || [], { empty: t('none') }));
}

function projectsTable(ctx, d) {
  const canP = ctx.can('projects:read');
  const cols = [
    { label: t('project'), value: (p) => (canP ? link(`#/projects/${p.id}`, p.name) : p.name) },
    { label: t('planned_jobs'), num: true, value: (p) => fmtInt(p.planned_jobs) },
    { label: t('jobs_filled'), num: true, value: (p) => fmtInt(p.jobs_filled) },
    { label: t('relocated_share'), value: (p) => meter(p.relocated_share, `${fmtInt(p.filled_by_relocated)} · ${fmtPct(p.relocated_share)}`) },
    { label: t('remuneration'), value: (p) => meter(p.remuneration_paid_share,
      `${fmtMoney(p.remuneration_paid)} / ${fmtMoney(p.remuneration_budget)} · ${fmtPct(p.remuneration_paid_share)}`) },
  ];
  return section(t('projects_title'), table(cols, d.projects || [], { empty: t('none') }));
}

function brokersTable(d) {
  const cols = [
    { label: t('name'), value: (b) => b.name },
    { label: t('applications'), num: true, value: (b) => fmtInt(b.applications) },
    { label: t('hires'), num: true, value: (b) => fmtInt(b.hires) },
    { label: t('active_placements'), num: true, value: (b) => fmtInt(b.active_placements) },
    { label: t('retention_6m'), value: (b) => (b.retention_6m === null || b.retention_6m === undefined ? '—'
      : meter(b.retention_6m, `${fmtPct(b.retention_6m)} (${fmtInt(b.retained_6m)}/${fmtInt(b.due_6m)})`)) },
  ];
  return section(t('brokers_title'), table(cols, d.brokers || [], { empty: t('none') }));
}

export async function render(ctx) {
  const { root, query: q } = ctx;
  root.append(h('h1', null, t('dash_title')), loading());
  const [d, counties] = await Promise.all([
    api.get('/v1/reports/dashboard', { county_code: q.county_code, site_id: q.site_id }),
    countyChoices(ctx).catch(() => []),
  ]);
  const sites = await siteChoices(ctx, q.county_code, d).catch(() => []);
  clear(root,
    h('div', { class: 'page-head' }, h('h1', null, t('dash_title')), h('span', { class: 'muted', id: 'dash-asof' }, t('dash_as_of', { d: d.as_of }))),
    h('p', { class: 'muted', id: 'dash-defs' }, t('dash_defs')),
    filterForm(ctx, counties, sites),
    figures(ctx, d, q),
    charts(d),
    h('div', { class: 'two-col' }, zeroList(ctx, d, q), tasksDue(ctx, d)),
    projectsTable(ctx, d),
    brokersTable(d));
  root.dataset.loaded = 'dashboard';
}
