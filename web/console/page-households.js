// Households: search by site, county and status; one household with its
// workers; editing with If-Match; registering a household and its workers;
// its history (变更记录).
import * as api from './api.js';
import * as ref from './refdata.js';
import { t, enumLabel } from './i18n.js';
import {
  h, clear, table, pagedTable, field, input, numberInput, dateInput, checkbox, select, section, facts, badge, link,
  loading, onSubmit, str, int, toast, fmtInt,
} from './ui.js';
import { workerFields } from './page-workers.js';
import { historyPanel } from './history.js';

function zeroBadge(hh) {
  return hh.zero_employment ? badge(t('zero_employment_households'), 'bad') : null;
}

function monitorBadge(st) {
  return st && st !== 'none' ? badge(enumLabel('monitoring_status', st), 'warn') : enumLabel('monitoring_status', 'none');
}

export async function list(ctx) {
  const q = ctx.query;
  const [sites, counties] = await Promise.all([ref.sites().catch(() => []), ref.siteCounties().catch(() => [])]);
  const form = h('form', { class: 'filters', id: 'household-search' },
    field(t('county'), select('county_code', counties, q.county_code, { empty: t('all_counties') })),
    field(t('site'), select('site_id', sites.map((st) => [st.id, st.name]), q.site_id, { empty: t('all_sites') })),
    field(t('monitoring_type'), select('monitoring_status', 'monitoring_status', q.monitoring_status, { empty: t('all') })),
    field(t('zero_employment_only'), checkbox('zero_employment', q.zero_employment === 'true', { value: 'true' })),
    field(t('monitored_only'), checkbox('monitored', q.monitored === 'true', { value: 'true' })),
    h('div', { class: 'buttons' }, h('button', { type: 'submit' }, t('search')),
      h('a', { class: 'button secondary', href: '#/households' }, t('reset'))));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const fd = new FormData(form);
    ctx.go(`#/households${api.query({
      county_code: str(fd, 'county_code'), site_id: str(fd, 'site_id'), monitoring_status: str(fd, 'monitoring_status'),
      zero_employment: fd.get('zero_employment') ? 'true' : '', monitored: fd.get('monitored') ? 'true' : '',
    })}`);
  });
  const cols = [
    { label: t('household'), value: (x) => link(`#/households/${x.id}`, t('household_n', { id: x.id })) },
    { label: t('site'), value: (x) => x.site_name },
    { label: t('origin'), value: (x) => `${x.origin_county_name || ''} ${x.origin_village || ''}` },
    { label: t('members'), num: true, value: (x) => fmtInt(x.members) },
    { label: t('labor_count'), num: true, value: (x) => fmtInt(x.labor_count) },
    { label: t('employed'), num: true, value: (x) => fmtInt(x.employed_count) },
    { label: t('status'), value: (x) => [monitorBadge(x.monitoring_status), ' ', zeroBadge(x)] },
  ];
  const params = {
    county_code: q.county_code, site_id: q.site_id, monitoring_status: q.monitoring_status,
    zero_employment: q.zero_employment, monitored: q.monitored,
  };
  const results = pagedTable(cols, (cursor) => api.get('/v1/households', { ...params, limit: 50, cursor }));
  clear(ctx.root,
    h('div', { class: 'page-head' }, h('h1', null, t('households_title')),
      ctx.can('households:write') ? h('div', { class: 'actions' }, h('a', { class: 'button', href: '#/households/new' }, t('new_household'))) : null),
    form, results);
  await results.ready;
}

async function householdFields(x) {
  const [sites, counties] = await Promise.all([ref.sites(), ref.countyOptions()]);
  return [
    field(t('site'), select('site_id', sites.map((st) => [st.id, st.name]), x.site_id, { empty: '—', attrs: { required: true } })),
    field(t('origin'), select('origin_county_code', counties, x.origin_county_code, { empty: '—', attrs: { required: true } })),
    field(t('origin_village'), input('origin_village', x.origin_village, { maxlength: 100 })),
    field(t('members'), numberInput('members', x.members, { min: 1, max: 30, required: true })),
    field(t('monitoring_type'), select('monitoring_status', 'monitoring_status', x.monitoring_status || 'none')),
    field(t('found_by'), select('monitoring_found_by', 'monitoring_found_by', x.monitoring_found_by, { empty: '—' })),
    field(t('found_on'), dateInput('monitoring_found_on', x.monitoring_found_on)),
  ];
}

function readHousehold(fd) {
  const monitored = str(fd, 'monitoring_status') !== 'none';
  return {
    site_id: int(fd, 'site_id'),
    origin_county_code: int(fd, 'origin_county_code'),
    origin_village: str(fd, 'origin_village'),
    members: int(fd, 'members'),
    monitoring_status: str(fd, 'monitoring_status') || 'none',
    monitoring_found_by: monitored ? str(fd, 'monitoring_found_by') || null : null,
    monitoring_found_on: monitored ? str(fd, 'monitoring_found_on') || null : null,
  };
}

export async function create(ctx) {
  const errSlot = h('div');
  const key = api.newKey();
  const form = h('form', { class: 'grid-form', id: 'household-form' }, await householdFields({}),
    h('div', { class: 'wide' }, errSlot), h('div', { class: 'buttons wide' }, h('button', { type: 'submit' }, t('save'))));
  onSubmit(form, errSlot, async (fd) => {
    const created = await api.post('/v1/households', readHousehold(fd), { idempotencyKey: key });
    toast(t('saved'));
    ctx.go(`#/households/${created.id}`);
  });
  clear(ctx.root, h('h1', null, t('new_household')), section(t('new_household'), form));
}

function workerCreate(ctx, hh) {
  const slot = h('div');
  const btn = h('button', { type: 'button', class: 'secondary', id: 'new-worker' }, t('new_worker'));
  btn.addEventListener('click', async () => {
    const errSlot = h('div');
    const key = api.newKey();
    const fields = await workerFields({}, { create: true });
    const form = h('form', { class: 'grid-form', id: 'worker-create', novalidate: true }, fields.nodes,
      h('div', { class: 'wide' }, errSlot),
      h('div', { class: 'buttons wide' }, h('button', { type: 'submit' }, t('save')),
        h('button', { type: 'button', class: 'secondary', onclick: () => clear(slot) }, t('cancel'))));
    onSubmit(form, errSlot, async (fd) => {
      const body = { household_id: hh.id, ...fields.read(fd) };
      if (!body.consent_employers && !body.consent_brokers) delete body.consent_method;
      const w = await api.post('/v1/workers', body, { idempotencyKey: key });
      toast(t('saved'));
      ctx.go(`#/workers/${w.id}`);
    });
    clear(slot, section(t('new_worker'), form));
  });
  return [btn, slot];
}

export async function detail(ctx) {
  const { root, params } = ctx;
  root.append(loading());
  const { data: hh, etag } = await api.getRecord(`/v1/households/${params.id}`);
  const editSlot = h('div');
  async function openEdit() {
    const errSlot = h('div');
    const form = h('form', { class: 'grid-form', id: 'household-edit' }, await householdFields(hh),
      h('div', { class: 'wide' }, errSlot),
      h('div', { class: 'buttons wide' }, h('button', { type: 'submit' }, t('save')),
        h('button', { type: 'button', class: 'secondary', onclick: () => clear(editSlot) }, t('cancel'))));
    onSubmit(form, errSlot, async (fd) => {
      const body = readHousehold(fd);
      const diff = {};
      for (const [k, v] of Object.entries(body)) if ((hh[k] ?? null) !== (v ?? null) && !(k === 'origin_village' && (hh[k] || '') === v)) diff[k] = v;
      if (!Object.keys(diff).length) {
        clear(editSlot);
        return;
      }
      if (diff.monitoring_status === 'none') {
        delete diff.monitoring_found_by;
        delete diff.monitoring_found_on;
      }
      await api.patch(`/v1/households/${hh.id}`, diff, etag);
      toast(t('saved'));
      ctx.refresh();
    });
    clear(editSlot, section(t('edit'), form));
  }
  const workersTable = table([
    { label: t('name'), value: (w) => link(`#/workers/${w.id}`, w.name) },
    { label: t('status'), value: (w) => enumLabel('employment_status', w.employment_status) },
  ], hh.workers || [], { empty: t('none') });
  clear(root,
    h('div', { class: 'page-head' }, h('h1', null, t('household_n', { id: hh.id })), monitorBadge(hh.monitoring_status), zeroBadge(hh),
      hh.archived ? badge(t('archived')) : null,
      ctx.can('households:write') ? h('div', { class: 'actions' }, h('button', { type: 'button', id: 'edit-household', onclick: openEdit }, t('edit'))) : null),
    editSlot,
    section(t('profile'), facts([
      [t('site'), `${hh.site_name} · ${hh.county_name}`],
      [t('origin'), `${hh.origin_county_name || ''} ${hh.origin_village || ''}`],
      [t('members'), fmtInt(hh.members)],
      [t('labor_count'), fmtInt(hh.labor_count)],
      [t('employed'), fmtInt(hh.employed_count)],
      [t('monitoring_type'), enumLabel('monitoring_status', hh.monitoring_status)],
      [t('found_by'), enumLabel('monitoring_found_by', hh.monitoring_found_by) || '—'],
      [t('found_on'), hh.monitoring_found_on || '—'],
    ])),
    section(t('household_workers'), workersTable, ctx.can('workers:write') ? workerCreate(ctx, hh) : null),
    ctx.can('tasks:read') ? h('p', null, link(`#/tasks?household_id=${hh.id}`, t('warning_tasks'))) : null,
    ctx.can('history:read') ? historyPanel(`/v1/households/${hh.id}`, 'household-history') : null);
  root.dataset.loaded = 'household';
}
