// Workers: search (name, ID number through the blind index, site), one
// worker's profile, editing it with If-Match, skills and certificates, and
// resetting the kiosk PIN, and its history (变更记录).
import * as api from './api.js';
import { pinResetButton } from './page-accounts.js';
import * as ref from './refdata.js';
import { t, enumLabel, enumValues, getLang } from './i18n.js';
import {
  h, clear, table, pagedTable, field, input, numberInput, dateInput, checkbox, select, section, facts, badge, link,
  loading, onSubmit, showError, str, int, toast, fmtInt, fmtWage, fmtDateTime, notice,
} from './ui.js';
import { multiPicker } from './picker.js';
import { historyPanel } from './history.js';

function statusBadge(st) {
  const kind = st && st.startsWith('employed') ? 'ok' : st === 'seeking' ? 'info' : '';
  return badge(enumLabel('employment_status', st), kind);
}

function skillText(sk) {
  return `${getLang() === 'en' ? sk.name_en || sk.name : sk.name}（${t('level_n', { n: sk.level })}）`;
}

export async function list(ctx) {
  const q = ctx.query;
  const sites = await ref.sites().catch(() => []);
  const form = h('form', { class: 'filters', id: 'worker-search' },
    field(t('name_prefix'), input('q', q.q, { maxlength: 100 })),
    field(t('id_number_search'), input('id_number', q.id_number, { maxlength: 18, minlength: 18, pattern: '[0-9]{17}[0-9Xx]', autocomplete: 'off' })),
    field(t('site'), select('site_id', sites.map((st) => [st.id, st.name]), q.site_id, { empty: t('all_sites') })),
    field(t('status'), select('employment_status', 'employment_status', q.employment_status, { empty: t('all') })),
    field(t('zero_employment_only'), checkbox('zero_employment', q.zero_employment === 'true', { value: 'true' })),
    h('div', { class: 'buttons' }, h('button', { type: 'submit' }, t('search')),
      h('a', { class: 'button secondary', href: '#/workers' }, t('reset'))));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const fd = new FormData(form);
    const idn = str(fd, 'id_number').toUpperCase();
    const params = idn ? { id_number: idn } : {
      q: str(fd, 'q'), site_id: str(fd, 'site_id'), employment_status: str(fd, 'employment_status'),
      zero_employment: fd.get('zero_employment') ? 'true' : '', household_id: q.household_id,
    };
    ctx.go(`#/workers${api.query(params)}`);
  });
  const cols = [
    { label: t('name'), value: (w) => link(`#/workers/${w.id}`, w.name) },
    { label: t('id_masked'), value: (w) => h('span', { class: 'mono' }, w.id_number_masked) },
    { label: t('age_sex'), value: (w) => `${w.age ?? '—'} / ${t(`sex_${w.sex}`)}` },
    { label: t('site'), value: (w) => w.site_name },
    { label: t('status'), value: (w) => [statusBadge(w.employment_status), w.archived ? [' ', badge(t('archived'))] : null] },
    { label: t('skills'), value: (w) => (w.skills || []).map(skillText).join('、') || '—' },
  ];
  const params = q.id_number ? { id_number: q.id_number } : {
    q: q.q, site_id: q.site_id, employment_status: q.employment_status, zero_employment: q.zero_employment, household_id: q.household_id,
  };
  // an ID-number lookup takes no other parameter, not even a page size
  const results = pagedTable(cols, (cursor) => api.get('/v1/workers', q.id_number ? params : { ...params, limit: 50, cursor }));
  clear(ctx.root, h('h1', null, t('workers_title')), form, h('p', { class: 'muted' }, t('id_number_hint')), results);
  await results.ready;
}

function checks(name, kind, chosen) {
  return h('fieldset', { class: 'wide' }, h('legend', null, t(name === 'languages' ? 'languages_label' : 'kinds_label')),
    h('div', { class: 'checks' }, enumValues(kind).map((v) => h('label', null,
      h('input', { type: 'checkbox', name, value: v, checked: (chosen || []).includes(v) }), enumLabel(kind, v)))));
}

// The editable fields of a worker; read(fd) -> the full body they describe
export async function workerFields(w, { create = false } = {}) {
  const [skills, certs] = await Promise.all([ref.skills(), ref.certificateTypes()]);
  const sp = multiPicker({ name: 'skills', title: t('skills'), items: skills,
    initial: (w.skills || []).map((s) => ({ id: s.skill_id, level: s.level })),
    rowControls: (e) => {
      const level = select('level', 'skill_level', e.level || 1, { attrs: { 'aria-label': t('min_level') } });
      return { nodes: [level], read: () => ({ level: Number(level.value) }) };
    } });
  const cp = multiPicker({ name: 'certificates', title: t('certificates'), items: certs,
    initial: (w.certificates || []).map((c) => ({ id: c.certificate_type_id, number: c.number, issued_on: c.issued_on, expires_on: c.expires_on })),
    rowControls: (e) => {
      const number = input('cert_number', e.number, { maxlength: 64, 'aria-label': t('number_label') });
      const issued = dateInput('cert_issued', e.issued_on, { 'aria-label': t('issued_label') });
      const expires = dateInput('cert_expires', e.expires_on, { 'aria-label': t('expires_label') });
      return {
        nodes: [h('label', null, t('number_label'), number), h('label', null, t('issued_label'), issued), h('label', null, t('expires_label'), expires)],
        read: () => ({ number: number.value.trim(), issued_on: issued.value || null, expires_on: expires.value || null }),
      };
    } });
  const nodes = [
    field(t('name'), input('name', w.name, { required: true, maxlength: 50 })),
    create ? field(t('id_number'), input('id_number', '', { required: true, maxlength: 18, autocomplete: 'off' })) : null,
    field(t('phone'), input('phone', '', { maxlength: 20, autocomplete: 'off', placeholder: w.phone_masked || '' }), create ? null : t('phone_hint')),
    field(t('status'), select('employment_status', 'employment_status', w.employment_status || 'seeking')),
    field(t('education_label'), select('education', 'education', w.education || 'junior_secondary')),
    field(t('mandarin_label'), select('mandarin_level', 'mandarin_level', w.mandarin_level || 'basic')),
    field(t('disability_label'), select('disability', 'disability', w.disability || 'none')),
    field(t('wage_floor_label'), numberInput('wage_floor', w.wage_floor ?? 0, { min: 0, max: 100000 })),
    field(t('commute_label'), numberInput('max_commute_km', w.max_commute_km ?? 20, { min: 0, max: 3000 })),
    field(t('available_label'), dateInput('available_from', w.available_from)),
    field(t('willing_county_label'), checkbox('willing_outside_county', w.willing_outside_county)),
    field(t('willing_province_label'), checkbox('willing_outside_province', w.willing_outside_province)),
    field(t('accommodation_label'), checkbox('needs_accommodation', w.needs_accommodation)),
    checks('job_kinds_wanted', 'kind', w.job_kinds_wanted),
    checks('languages', 'language', w.languages),
    field(t('consent_employers_label'), checkbox('consent_employers', w.consent_employers)),
    field(t('consent_brokers_label'), checkbox('consent_brokers', w.consent_brokers)),
    field(t('consent_change_method'), select('consent_method', enumValues('consent_method').slice(0, 4).map((v) => [v, enumLabel('consent_method', v)]), '',
      { empty: '—' }), t('consent_method_needed')),
    h('div', { class: 'wide' }, sp.el),
    h('div', { class: 'wide' }, cp.el),
  ];
  const read = (fd) => {
    const body = {
      name: str(fd, 'name'),
      employment_status: str(fd, 'employment_status'),
      education: str(fd, 'education'),
      mandarin_level: str(fd, 'mandarin_level'),
      disability: str(fd, 'disability'),
      wage_floor: int(fd, 'wage_floor') ?? 0,
      max_commute_km: int(fd, 'max_commute_km') ?? 0,
      available_from: str(fd, 'available_from') || null,
      willing_outside_county: Boolean(fd.get('willing_outside_county')),
      willing_outside_province: Boolean(fd.get('willing_outside_province')),
      needs_accommodation: Boolean(fd.get('needs_accommodation')),
      job_kinds_wanted: fd.getAll('job_kinds_wanted').map(String),
      languages: fd.getAll('languages').map(String),
      consent_employers: Boolean(fd.get('consent_employers')),
      consent_brokers: Boolean(fd.get('consent_brokers')),
      skills: sp.value().map((s) => ({ skill_id: s.id, level: s.level })),
      certificates: cp.value().map((c) => ({ certificate_type_id: c.id, number: c.number, issued_on: c.issued_on, expires_on: c.expires_on })),
    };
    if (create) body.id_number = str(fd, 'id_number').toUpperCase();
    const phone = str(fd, 'phone');
    if (phone) body.phone = phone;
    const method = str(fd, 'consent_method');
    if (method) body.consent_method = method;
    return body;
  };
  return { nodes, read };
}

function same(a, b) {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

// Only what changed goes into the PATCH
function changes(w, body) {
  const before = {
    name: w.name, employment_status: w.employment_status, education: w.education, mandarin_level: w.mandarin_level,
    disability: w.disability, wage_floor: w.wage_floor, max_commute_km: w.max_commute_km, available_from: w.available_from,
    willing_outside_county: w.willing_outside_county, willing_outside_province: w.willing_outside_province,
    needs_accommodation: w.needs_accommodation, job_kinds_wanted: w.job_kinds_wanted || [], languages: w.languages || [],
    consent_employers: w.consent_employers, consent_brokers: w.consent_brokers,
    skills: (w.skills || []).map((s) => ({ skill_id: s.skill_id, level: s.level })),
    certificates: (w.certificates || []).map((c) => ({ certificate_type_id: c.certificate_type_id, number: c.number || '', issued_on: c.issued_on, expires_on: c.expires_on })),
  };
  const out = {};
  for (const [k, v] of Object.entries(body)) {
    if (k === 'phone') out.phone = v;
    else if (k === 'consent_method') continue;
    else if (!same(before[k], v)) out[k] = v;
  }
  if ((('consent_employers' in out) || ('consent_brokers' in out)) && body.consent_method) out.consent_method = body.consent_method;
  return out;
}

function profile(w) {
  const yn = (v) => (v ? t('yes') : t('no'));
  return facts([
    [t('id_masked'), h('span', { class: 'mono', id: 'worker-idmasked' }, w.id_number_masked)],
    // the age, never the birth date: beside the mask it would narrow the ID
    // number to a few candidates (docs/privacy.md)
    [t('age_sex'), `${w.age ?? '—'} / ${t(`sex_${w.sex}`)}`],
    [t('phone'), w.phone_masked || '—'],
    [t('household'), link(`#/households/${w.household_id}`, t('household_n', { id: w.household_id }))],
    [t('site'), `${w.site_name} · ${w.county_name}`],
    [t('education_label'), enumLabel('education', w.education)],
    [t('mandarin_label'), enumLabel('mandarin_level', w.mandarin_level)],
    [t('languages_label'), (w.languages || []).map((l) => enumLabel('language', l)).join('、') || '—'],
    [t('wage_floor_label'), w.wage_floor ? fmtWage(w.wage_floor, w.wage_floor, 'month') : '—'],
    [t('commute_label'), `${fmtInt(w.max_commute_km)} ${t('km')}`],
    [t('willing_county_label'), yn(w.willing_outside_county)],
    [t('willing_province_label'), yn(w.willing_outside_province)],
    [t('accommodation_label'), yn(w.needs_accommodation)],
    [t('kinds_label'), (w.job_kinds_wanted || []).map((k) => enumLabel('kind', k)).join('、') || t('any')],
    [t('available_label'), w.available_from || '—'],
    [t('disability_label'), enumLabel('disability', w.disability)],
    [t('consent_employers_label'), yn(w.consent_employers)],
    [t('consent_brokers_label'), yn(w.consent_brokers)],
  ]);
}

function placementView(p) {
  if (!p) return h('p', { class: 'muted' }, t('none'));
  return facts([
    [t('vacancy'), link(`#/vacancies/${p.vacancy_id}`, p.vacancy_title || `#${p.vacancy_id}`)],
    [t('employer'), p.employer_name || '—'],
    [t('start_date'), p.start_date],
    [t('wage'), fmtWage(p.wage, p.wage, p.wage_period)],
    [t('location_label'), enumLabel('location_scope', p.location_scope)],
    [t('placement'), link(`#/placements/${p.id}`, `#${p.id}`)],
  ]);
}

function pinForm(w) {
  const errSlot = h('div');
  const done = h('div');
  const form = h('form', { class: 'grid-form', id: 'pin-form', autocomplete: 'off' },
    field(t('pin'), input('pin', '', { type: 'password', inputmode: 'numeric', maxlength: 6, pattern: '[0-9]{6}', required: true, autocomplete: 'new-password' })),
    field(t('pin_again'), input('pin2', '', { type: 'password', inputmode: 'numeric', maxlength: 6, pattern: '[0-9]{6}', required: true, autocomplete: 'new-password' })),
    h('div', { class: 'buttons' }, h('button', { type: 'submit' }, t('pin_button'))),
    h('div', { class: 'wide' }, errSlot, done));
  onSubmit(form, errSlot, async (fd) => {
    clear(done);
    const pin = String(fd.get('pin') || '');
    if (pin !== String(fd.get('pin2') || '')) {
      clear(errSlot, h('div', { class: 'error', role: 'alert' }, t('err_pin_mismatch')));
      return;
    }
    await api.put(`/v1/workers/${w.id}/pin`, { pin });
    form.reset();
    done.append(notice(t('pin_set'), 'ok'));
  });
  return section(t('pin_title'), h('p', { class: 'muted' }, t('pin_hint')), pinResetButton(w), form);
}

function matchesPanel(w) {
  const out = h('div');
  const btn = h('button', { type: 'button', class: 'secondary', id: 'load-matches' }, t('matches_load'));
  btn.addEventListener('click', async () => {
    btn.disabled = true;
    clear(out, loading());
    try {
      const d = await api.get(`/v1/workers/${w.id}/matches`, { k: 10, lang: getLang() });
      clear(out, table([
        { label: t('score'), num: true, value: (m) => h('span', { class: 'score' }, Number(m.score).toFixed(1)) },
        { label: t('vacancy'), value: (m) => link(`#/vacancies/${m.id}`, m.vacancy ? m.vacancy.title : `#${m.id}`) },
        { label: t('employer'), value: (m) => (m.vacancy && m.vacancy.employer_name) || '—' },
        { label: t('wage'), value: (m) => (m.vacancy ? fmtWage(m.vacancy.wage_min, m.vacancy.wage_max, m.vacancy.wage_period) : '—') },
        { label: t('reasons'), value: (m) => h('ul', { class: 'reasons' }, (m.reasons || []).slice(0, 4).map((r) => h('li', null, r.text))) },
      ], d.items || []));
    } catch (e) {
      showError(out, e);
    } finally {
      btn.disabled = false;
    }
  });
  return section(t('matches_title'), btn, out);
}

export async function detail(ctx) {
  const { root, params } = ctx;
  root.append(loading());
  const { data: w, etag } = await api.getRecord(`/v1/workers/${params.id}`);
  const editSlot = h('div');
  const head = h('div', { class: 'page-head' },
    h('h1', { id: 'worker-name' }, w.name), statusBadge(w.employment_status), w.archived ? badge(t('archived')) : null,
    h('div', { class: 'actions' }, ctx.can('workers:write')
      ? h('button', { type: 'button', id: 'edit-worker', onclick: () => openEdit() }, t('edit_profile')) : null));
  const certRowsView = table([
    { label: t('certificates'), value: (c) => (getLang() === 'en' ? c.name_en || c.name : c.name) },
    { label: t('number_label'), value: (c) => c.number || '—' },
    { label: t('issued_label'), value: (c) => c.issued_on || '—' },
    { label: t('expires_label'), value: (c) => c.expires_on || '—' },
    { label: t('status'), value: (c) => badge(c.valid ? t('valid') : t('expired'), c.valid ? 'ok' : 'bad') },
  ], w.certificates || [], { empty: t('none') });
  const trainings = table([
    { label: t('trainings'), value: (x) => x.name },
    { label: t('provider_label'), value: (x) => x.provider || '—' },
    { label: t('period_label'), value: (x) => `${x.start_date} – ${x.end_date || ''}` },
    { label: t('status'), value: (x) => (x.completed ? badge(t('done'), 'ok') : badge(t('not_done'))) },
  ], w.trainings || [], { empty: t('none') });
  const consents = table([
    { label: t('consents'), value: (c) => `${enumLabel('consent_kind', c.kind)} · ${c.granted ? t('granted') : t('withdrawn_c')}` },
    { label: t('consent_change_method'), value: (c) => enumLabel('consent_method', c.method) },
    { label: t('recorded_label'), value: (c) => `${c.recorded_by || ''} ${fmtDateTime(c.at)}` },
  ], w.consent_events || [], { empty: t('none') });

  async function openEdit() {
    const errSlot = h('div');
    const fields = await workerFields(w);
    const form = h('form', { class: 'grid-form', id: 'worker-edit', novalidate: true }, fields.nodes,
      h('div', { class: 'wide' }, errSlot),
      h('div', { class: 'buttons wide' }, h('button', { type: 'submit' }, t('save')),
        h('button', { type: 'button', class: 'secondary', onclick: () => clear(editSlot) }, t('cancel'))));
    onSubmit(form, errSlot, async (fd) => {
      const diff = changes(w, fields.read(fd));
      if (!Object.keys(diff).length) {
        clear(editSlot);
        return;
      }
      await api.patch(`/v1/workers/${w.id}`, diff, etag);
      toast(t('saved'));
      ctx.refresh();
    });
    clear(editSlot, section(t('edit_profile'), form));
    form.scrollIntoView({ block: 'start' });
  }

  clear(root, head,
    editSlot,
    section(t('profile'), profile(w)),
    h('div', { class: 'two-col' },
      section(t('placement_now'), placementView(w.placement)),
      section(t('skills'), h('ul', { class: 'plain', id: 'worker-skills' }, (w.skills || []).map((s) => h('li', null, skillText(s)))),
        (w.skills || []).length ? null : h('p', { class: 'muted' }, t('none')))),
    section(t('certificates'), certRowsView),
    section(t('trainings'), trainings),
    ctx.can('matches:read') ? matchesPanel(w) : null,
    ctx.can('workers:write') ? pinForm(w) : null,
    section(t('consents'), consents),
    ctx.can('history:read') ? historyPanel(`/v1/workers/${w.id}`, 'worker-history') : null);
  root.dataset.loaded = 'worker';
}
