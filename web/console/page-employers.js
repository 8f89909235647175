// Employers: list, register, change (If-Match) and archive.
import * as api from './api.js';
import * as ref from './refdata.js';
import { t, enumLabel } from './i18n.js';
import { h, clear, pagedTable, field, input, select, section, facts, badge, link, loading, onSubmit, showError, str, int, toast, fmtInt } from './ui.js';

export async function list(ctx) {
  const q = ctx.query;
  const counties = await ref.siteCounties().catch(() => []);
  const form = h('form', { class: 'filters', id: 'employer-search' },
    field(t('name'), input('q', q.q, { maxlength: 100 })),
    field(t('county'), select('county_code', counties, q.county_code, { empty: t('all_counties') })),
    field(t('kind_label'), select('kind', 'employer_kind', q.kind, { empty: t('all') })),
    h('div', { class: 'buttons' }, h('button', { type: 'submit' }, t('search')), h('a', { class: 'button secondary', href: '#/employers' }, t('reset'))));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const fd = new FormData(form);
    ctx.go(`#/employers${api.query({ q: str(fd, 'q'), county_code: str(fd, 'county_code'), kind: str(fd, 'kind') })}`);
  });
  const cols = [
    { label: t('name'), value: (x) => link(`#/employers/${x.id}`, x.name) },
    { label: t('kind_label'), value: (x) => enumLabel('employer_kind', x.kind) },
    { label: t('county'), value: (x) => x.county_name },
    { label: t('credit_code_label'), value: (x) => h('span', { class: 'mono' }, x.credit_code) },
    { label: t('open_vacancies'), num: true, value: (x) => link(`#/vacancies?employer_id=${x.id}&status=open`, `${fmtInt(x.open_vacancies)} / ${fmtInt(x.open_places)}`) },
  ];
  const results = pagedTable(cols, (cursor) => api.get('/v1/employers', { q: q.q, county_code: q.county_code, kind: q.kind, limit: 50, cursor }));
  clear(ctx.root,
    h('div', { class: 'page-head' }, h('h1', null, t('employers_title')),
      ctx.can('employers:write') ? h('div', { class: 'actions' }, h('a', { class: 'button', href: '#/employers/new' }, t('new_employer'))) : null),
    form, results);
  await results.ready;
}

export async function edit(ctx) {
  const { root, params } = ctx;
  root.append(loading());
  const rec = params.id ? await api.getRecord(`/v1/employers/${params.id}`) : { data: {}, etag: null };
  const e = rec.data;
  const [counties, provinces] = await Promise.all([ref.countyOptions(), ref.provinces()]);
  const writable = ctx.can('employers:write');
  const errSlot = h('div');
  const key = api.newKey();
  const form = h('form', { class: 'grid-form', id: 'employer-form' },
    field(t('name'), input('name', e.name, { required: true, maxlength: 100 })),
    field(t('credit_code_label'), input('credit_code', e.credit_code, { required: true, maxlength: 18, autocomplete: 'off' })),
    field(t('kind_label'), select('kind', 'employer_kind', e.kind || 'enterprise')),
    field(t('county'), select('county_code', counties, e.county_code, { empty: '—', attrs: { required: true } })),
    field(t('partner_label'), select('partner_province_code', provinces.map((p) => [p.code, p.name]), e.partner_province_code, { empty: t('none') })),
    field(t('contact_label'), input('contact_name', e.contact_name, { maxlength: 50 })),
    field(t('phone'), input('contact_phone', '', { maxlength: 20, placeholder: e.contact_phone_masked || '' }), e.id ? t('phone_hint') : null),
    field(t('address_label'), input('address', e.address, { maxlength: 200 })),
    h('div', { class: 'wide' }, errSlot),
    writable ? h('div', { class: 'buttons wide' }, h('button', { type: 'submit' }, t('save')),
      e.id && !e.archived ? h('button', { type: 'button', class: 'secondary', id: 'archive-employer', onclick: archive }, t('archive')) : null) : null);
  if (!writable) for (const el of form.elements) el.disabled = true;
  async function archive() {
    try {
      await api.patch(`/v1/employers/${e.id}`, { archived: true }, rec.etag);
      toast(t('saved'));
      ctx.refresh();
    } catch (err) {
      showError(errSlot, err);
    }
  }
  onSubmit(form, errSlot, async (fd) => {
    const body = {
      name: str(fd, 'name'), credit_code: str(fd, 'credit_code').toUpperCase(), kind: str(fd, 'kind'),
      county_code: int(fd, 'county_code'), partner_province_code: int(fd, 'partner_province_code'),
      contact_name: str(fd, 'contact_name'), address: str(fd, 'address'),
    };
    const phone = str(fd, 'contact_phone');
    if (phone) body.contact_phone = phone;
    if (e.id) {
      const diff = {};
      for (const [k, v] of Object.entries(body)) if (k === 'contact_phone' || (e[k] ?? null) !== (v ?? null)) diff[k] = v;
      if (Object.keys(diff).length) await api.patch(`/v1/employers/${e.id}`, diff, rec.etag);
      toast(t('saved'));
      ctx.refresh();
    } else {
      const created = await api.post('/v1/employers', body, { idempotencyKey: key });
      toast(t('saved'));
      ctx.go(`#/employers/${created.id}`);
    }
  });
  clear(root,
    h('div', { class: 'page-head' }, h('h1', null, e.id ? e.name : t('new_employer')), e.archived ? badge(t('archived')) : null,
      e.id ? h('div', { class: 'actions' }, h('a', { class: 'button secondary', href: `#/vacancies?employer_id=${e.id}` }, t('vacancies_title')),
        ctx.can('vacancies:write') ? h('a', { class: 'button', href: `#/vacancies/new?employer_id=${e.id}` }, t('new_vacancy')) : null) : null),
    e.id ? section(t('profile'), facts([
      [t('open_vacancies'), `${fmtInt(e.open_vacancies)} / ${fmtInt(e.open_places)}`],
      [t('phone'), e.contact_phone_masked || '—'],
    ])) : null,
    section(e.id ? t('edit') : t('new_employer'), form));
}
