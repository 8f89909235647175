// Vacancies: list, post and edit with searchable skill and certificate
// pickers, open and close; candidates from the matching core with scores and
// reasons; the application flow shortlist → offer → hire; its history.
import * as api from './api.js';
import { placeField } from './place.js';
import * as ref from './refdata.js';
import { t, enumLabel, getLang } from './i18n.js';
import {
  h, clear, table, pagedTable, field, input, numberInput, dateInput, checkbox, select, textarea, section, facts, badge, link,
  loading, onSubmit, showError, str, int, toast, fmtInt, fmtWage, fmtDateTime, notice, formDialog, today, problemView,
  sleep, retryDelay,
} from './ui.js';
import { multiPicker, searchPicker } from './picker.js';
import { historyPanel } from './history.js';

const STATUS_KIND = { open: 'ok', draft: '', closed: 'warn', filled: 'info' };

export function statusBadge(st) {
  return badge(enumLabel('vacancy_status', st), STATUS_KIND[st] || '');
}

export async function list(ctx) {
  const q = ctx.query;
  const counties = await ref.siteCounties().catch(() => []);
  const form = h('form', { class: 'filters', id: 'vacancy-search' },
    field(t('title_label'), input('q', q.q, { maxlength: 100 })),
    field(t('status'), select('status', 'vacancy_status', q.status, { empty: t('all') })),
    field(t('kind_label'), select('kind', 'kind', q.kind, { empty: t('all') })),
    field(t('county'), select('county_code', counties, q.county_code, { empty: t('all_counties') })),
    h('div', { class: 'buttons' }, h('button', { type: 'submit' }, t('search')), h('a', { class: 'button secondary', href: '#/vacancies' }, t('reset'))));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const fd = new FormData(form);
    ctx.go(`#/vacancies${api.query({ q: str(fd, 'q'), status: str(fd, 'status'), kind: str(fd, 'kind'), county_code: str(fd, 'county_code'), employer_id: q.employer_id })}`);
  });
  const cols = [
    { label: t('vacancy'), value: (v) => link(`#/vacancies/${v.id}`, v.title) },
    { label: t('employer'), value: (v) => v.employer_name || '—' },
    { label: t('kind_label'), value: (v) => enumLabel('kind', v.kind) },
    { label: t('county'), value: (v) => v.county_name },
    { label: t('wage'), value: (v) => fmtWage(v.wage_min, v.wage_max, v.wage_period) },
    { label: t('places'), num: true, value: (v) => `${fmtInt(v.headcount)} / ${fmtInt(v.filled)}` },
    { label: t('status'), value: (v) => statusBadge(v.status) },
  ];
  if (ctx.can('matches:read')) cols.push({ label: t('actions'), value: (v) => (v.status === 'open' ? link(`#/vacancies/${v.id}/candidates`, t('candidates')) : '') });
  const params = { q: q.q, status: q.status, kind: q.kind, county_code: q.county_code, employer_id: q.employer_id, sort: '-created' };
  const results = pagedTable(cols, (cursor) => api.get('/v1/vacancies', { ...params, limit: 50, cursor }));
  clear(ctx.root,
    h('div', { class: 'page-head' }, h('h1', null, t('vacancies_title')),
      ctx.can('vacancies:write') ? h('div', { class: 'actions' }, h('a', { class: 'button', href: '#/vacancies/new', id: 'new-vacancy' }, t('new_vacancy'))) : null),
    form, results);
  await results.ready;
}

function countyChoices(ctx, all) {
  const mine = ctx.me.county_codes && ctx.me.county_codes.length ? all.filter(([c]) => ctx.me.county_codes.includes(c)) : all;
  return mine;
}

async function employerPicker(v, preset) {
  let initial = null;
  if (v.employer_id) initial = { key: v.employer_id, label: v.employer_name || `#${v.employer_id}` };
  else if (preset) {
    try {
      const e = await api.get(`/v1/employers/${preset}`);
      initial = { key: e.id, label: e.name, item: e };
    } catch (err) {
      initial = null;
    }
  }
  return searchPicker({
    name: 'employer_id', label: t('employer'), placeholder: t('employer_search'), initial,
    search: (q) => api.get('/v1/employers', { q: q || undefined, limit: 20 }).then((d) => d.items),
    keyOf: (e) => e.id, labelOf: (e) => `${e.name}（${e.county_name}）`,
  });
}

function occupationPicker(v) {
  const initial = v.occupation_code ? { key: v.occupation_code, label: `${v.occupation_code} ${v.occupation_name || ''}` } : null;
  return searchPicker({
    name: 'occupation_code', label: t('occupation'), placeholder: t('occupation_search'), initial,
    search: (q) => (q ? api.get('/v1/occupations', { level: 4, q, limit: 30 }).then((d) => d.items) : Promise.resolve([])),
    keyOf: (o) => o.code, labelOf: (o) => `${o.code} ${o.name}`,
  });
}

export async function edit(ctx) {
  const { root, params, query } = ctx;
  root.append(loading());
  const rec = params.id ? await api.getRecord(`/v1/vacancies/${params.id}`) : { data: {}, etag: null };
  const v = rec.data;
  const [skills, certs, countyOpts, provinces] = await Promise.all([ref.skills(), ref.certificateTypes(), ref.countyOptions(), ref.provinces()]);
  const emp = await employerPicker(v, query.employer_id);
  const occ = occupationPicker(v);
  const skillPicker = multiPicker({
    name: 'required_skills', title: t('required_skills'), items: skills,
    initial: (v.required_skills || []).map((s) => ({ id: s.skill_id, min_level: s.min_level, weight: s.weight, must_have: s.must_have })),
    rowControls: (e) => {
      const level = select('min_level', 'skill_level', e.min_level || 1, { attrs: { 'aria-label': t('min_level') } });
      const weight = numberInput('weight', e.weight ?? 1, { min: 0.1, max: 10, step: 0.1, 'aria-label': t('weight') });
      const must = checkbox('must_have', e.must_have);
      return {
        nodes: [h('label', null, t('min_level'), level), h('label', null, t('weight'), weight), h('label', null, must, t('must_have'))],
        read: () => ({ min_level: Number(level.value), weight: Number(weight.value) || 1, must_have: must.checked }),
      };
    },
  });
  const certPicker = multiPicker({ name: 'required_certificates', title: t('required_certificates'), items: certs,
    initial: (v.required_certificates || []).map((c) => ({ id: c.certificate_type_id })) });

  const countySel = select('county_code', countyChoices(ctx, countyOpts), v.county_code ?? query.county_code, { empty: '—', attrs: { required: true } });
  const kindSel = select('kind', 'kind', v.kind || query.kind || 'regular');
  const projectSel = select('project_id', [], '', { empty: t('none') });
  const projectField = field(t('project'), projectSel);
  const destField = field(t('dest_province_label'), select('dest_province_code', provinces.map((p) => [p.code, p.name]), v.dest_province_code, { empty: '—' }));
  const cityField = field(t('dest_city_label'), input('dest_city', v.dest_city, { maxlength: 50 }));

  async function loadProjects() {
    const c = countySel.value;
    clear(projectSel, h('option', { value: '' }, t('none')));
    if (!c || !ctx.can('projects:read')) return;
    try {
      const d = await api.get('/v1/work-relief-projects', { county_code: c, limit: 200 });
      for (const p of d.items) projectSel.append(h('option', { value: p.id, selected: p.id === (v.project_id ?? Number(query.project_id)) }, p.name));
    } catch (e) {
      // the project list is a convenience; the API names a wrong project_id
    }
  }
  function showKindFields() {
    projectField.hidden = kindSel.value !== 'work_relief';
    destField.hidden = cityField.hidden = kindSel.value !== 'labor_export';
  }
  emp.onChange((c) => {
    if (c.item && !countySel.value) {
      countySel.value = String(c.item.county_code);
      loadProjects();
    }
  });
  countySel.addEventListener('change', loadProjects);
  kindSel.addEventListener('change', showKindFields);
  showKindFields();
  await loadProjects();

  const place = await placeField(v);
  const errSlot = h('div');
  const key = api.newKey();
  const form = h('form', { class: 'grid-form', id: 'vacancy-form', novalidate: true },
    h('div', { class: 'wide two-col' }, emp.el, occ.el),
    field(t('title_label'), input('title', v.title, { required: true, maxlength: 100 })),
    field(t('kind_label'), kindSel),
    field(t('county'), countySel),
    projectField, destField, cityField,
    place.el,
    field(t('headcount_label'), numberInput('headcount', v.headcount ?? 1, { min: 1, max: 100000, required: true })),
    field(t('wage_min_label'), numberInput('wage_min', v.wage_min, { min: 0, required: true })),
    field(t('wage_max_label'), numberInput('wage_max', v.wage_max, { min: 0, required: true })),
    field(t('wage_period_label'), select('wage_period', 'wage_period', v.wage_period || 'month')),
    field(t('age_min_label'), numberInput('age_min', v.age_min ?? 16, { min: 16, max: 65 })),
    field(t('age_max_label'), numberInput('age_max', v.age_max ?? 60, { min: 16, max: 65 })),
    field(t('start_date'), dateInput('start_date', v.start_date)),
    field(t('end_date_label'), dateInput('end_date', v.end_date)),
    field(t('accommodation_provided'), checkbox('accommodation', v.accommodation)),
    field(t('transport_provided'), checkbox('transport', v.transport)),
    v.id ? null : field(t('status'), select('status', [['open', enumLabel('vacancy_status', 'open')], ['draft', enumLabel('vacancy_status', 'draft')]], 'open')),
    h('div', { class: 'wide' }, field(t('description_label'), textarea('description', v.description, { maxlength: 4000, rows: 3 }))),
    h('div', { class: 'wide' }, skillPicker.el),
    h('div', { class: 'wide' }, certPicker.el),
    h('div', { class: 'wide' }, errSlot),
    h('div', { class: 'buttons wide' }, h('button', { type: 'submit' }, v.id ? t('save') : t('new_vacancy')),
      h('a', { class: 'button secondary', href: v.id ? `#/vacancies/${v.id}` : '#/vacancies' }, t('cancel'))));

  onSubmit(form, errSlot, async (fd) => {
    const kind = str(fd, 'kind');
    const body = {
      employer_id: emp.value(), title: str(fd, 'title'), description: str(fd, 'description'), occupation_code: occ.value(),
      kind, county_code: int(fd, 'county_code'), headcount: int(fd, 'headcount'),
      wage_min: int(fd, 'wage_min'), wage_max: int(fd, 'wage_max'), wage_period: str(fd, 'wage_period'),
      age_min: int(fd, 'age_min'), age_max: int(fd, 'age_max'), accommodation: Boolean(fd.get('accommodation')),
      transport: Boolean(fd.get('transport')), start_date: str(fd, 'start_date') || null, end_date: str(fd, 'end_date') || null,
      required_skills: skillPicker.value().map((s) => ({ skill_id: s.id, min_level: s.min_level, weight: s.weight, must_have: s.must_have })),
      required_certificates: certPicker.value().map((c) => c.id),
      ...place.value(),
    };
    if (kind === 'work_relief') body.project_id = int(fd, 'project_id');
    else if (v.project_id) body.project_id = null;
    if (kind === 'labor_export') {
      body.dest_province_code = int(fd, 'dest_province_code');
      body.dest_city = str(fd, 'dest_city');
    } else if (v.dest_province_code) {
      body.dest_province_code = null;
      body.dest_city = null;
    }
    for (const k of ['employer_id', 'occupation_code', 'county_code', 'headcount', 'wage_min', 'wage_max']) if (body[k] === null) delete body[k];
    if (!v.id) {
      body.status = str(fd, 'status') || 'open';
      const created = await api.post('/v1/vacancies', body, { idempotencyKey: key });
      toast(t('posted'));
      ctx.go(`#/vacancies/${created.id}`);
    } else {
      await api.patch(`/v1/vacancies/${v.id}`, body, rec.etag);
      toast(t('saved'));
      ctx.go(`#/vacancies/${v.id}`);
    }
  });
  clear(root, h('h1', null, v.id ? t('edit_vacancy') : t('new_vacancy')), section(v.id ? v.title : t('new_vacancy'), form));
  root.dataset.loaded = 'vacancy-form';
}

// Buttons that move one application along; done() after a move
export function applicationActions(app, vacancy, done) {
  const out = [];
  const move = async (to, extra = {}) => {
    const r = await api.post(`/v1/applications/${app.id}/transitions`, { to, ...extra });
    toast(to === 'hired' ? t('hired_msg') : t('moved_msg'));
    done(r);
  };
  const btn = (label, to, cls = 'secondary') => {
    const b = h('button', { type: 'button', class: `${cls} small`, dataset: { to } }, label);
    b.addEventListener('click', async () => {
      if (to === 'hired') {
        await hireDialog(app, vacancy, move);
        return;
      }
      b.disabled = true;
      try {
        await move(to);
      } catch (e) {
        b.disabled = false;
        b.after(problemView(e));
      }
    });
    return b;
  };
  if (app.status === 'applied') out.push(btn(t('shortlist'), 'shortlisted', ''));
  if (app.status === 'shortlisted') out.push(btn(t('offer'), 'offered', ''));
  if (app.status === 'offered') out.push(btn(t('hire'), 'hired', ''));
  if (['applied', 'shortlisted', 'offered'].includes(app.status)) out.push(btn(t('reject'), 'rejected'), btn(t('withdraw'), 'withdrawn'));
  if (app.status === 'hired' && app.placement_id) out.push(link(`#/placements/${app.placement_id}`, t('placement')));
  return h('span', { class: 'app-actions', dataset: { application: app.id } }, out);
}

function hireDialog(app, vacancy, move) {
  return formDialog(t('hire_title', { name: app.worker_name || '' }), () => h('div', { class: 'grid-form' },
    field(t('start_date'), dateInput('start_date', today(), { required: true, min: today(-31) }), t('start_date_hint')),
    field(t('hire_wage', { period: enumLabel('wage_period', vacancy.wage_period || 'month') }),
      numberInput('wage', vacancy.wage_min ?? '', { min: 0, max: 1000000, required: true })),
    h('div', { class: 'wide' }, field(t('note'), input('note', '', { maxlength: 1000 })))),
  async (form) => {
    const fd = new FormData(form);
    const body = { start_date: str(fd, 'start_date'), wage: int(fd, 'wage') };
    if (str(fd, 'note')) body.note = str(fd, 'note');
    await move('hired', body);
  });
}

function applicationsPanel(ctx, v, apps, reload) {
  const cols = [
    { label: t('worker'), value: (a) => link(`#/workers/${a.worker_id}`, a.worker_name || `#${a.worker_id}`) },
    { label: t('source_label'), value: (a) => enumLabel('source', a.source) },
    { label: t('status'), value: (a) => badge(enumLabel('application_status', a.status), a.status === 'hired' ? 'ok' : '') },
    { label: t('updated_label'), value: (a) => fmtDateTime(a.updated_at) },
  ];
  if (ctx.can('applications:write')) cols.push({ label: t('actions'), value: (a) => applicationActions(a, v, reload) });
  return section(t('applications_title'), h('div', { id: 'applications' }, table(cols, apps, { empty: t('none') })));
}

export async function detail(ctx) {
  const { root, params } = ctx;
  root.append(loading());
  const { data: v, etag } = await api.getRecord(`/v1/vacancies/${params.id}`);
  const apps = ctx.can('applications:read')
    ? (await api.get('/v1/applications', { vacancy_id: v.id, limit: 200, sort: '-id' })).items : [];
  const msg = h('div');
  async function setStatus(status, btn) {
    btn.disabled = true;
    try {
      await api.patch(`/v1/vacancies/${v.id}`, { status }, etag);
      toast(status === 'open' ? t('vacancy_opened') : t('vacancy_closed'));
      ctx.refresh();
    } catch (e) {
      btn.disabled = false;
      showError(msg, e);
    }
  }
  const writable = ctx.can('vacancies:write') && !v.archived;
  const actions = h('div', { class: 'actions' },
    ctx.can('matches:read') && v.status === 'open' ? h('a', { class: 'button', href: `#/vacancies/${v.id}/candidates`, id: 'see-candidates' }, t('see_candidates')) : null,
    writable ? h('a', { class: 'button secondary', href: `#/vacancies/${v.id}/edit` }, t('edit')) : null,
    writable && (v.status === 'draft' || v.status === 'closed' || (v.status === 'filled' && v.open_places > 0))
      ? h('button', { type: 'button', id: 'open-vacancy', onclick: (e) => setStatus('open', e.currentTarget) }, t('open_vacancy')) : null,
    writable && (v.status === 'open' || v.status === 'filled')
      ? h('button', { type: 'button', class: 'secondary', id: 'close-vacancy', onclick: (e) => setStatus('closed', e.currentTarget) }, t('close_vacancy')) : null);
  const en = getLang() === 'en';
  clear(root,
    h('div', { class: 'page-head' }, h('h1', { id: 'vacancy-title' }, v.title), h('span', { id: 'vacancy-status' }, statusBadge(v.status)), actions),
    msg,
    section(t('profile'), facts([
      [t('employer'), v.employer_id ? link(`#/employers/${v.employer_id}`, v.employer_name || `#${v.employer_id}`) : '—'],
      [t('kind_label'), enumLabel('kind', v.kind)],
      [t('occupation'), `${v.occupation_code} ${v.occupation_name || ''}`],
      [t('county'), v.county_name],
      [t('place_title'), h('span', { id: 'vacancy-place-line' }, `${v.address || t('place_no_address')} · ${Number(v.lat).toFixed(4)}, ${Number(v.lon).toFixed(4)}`)],
      [t('wage'), fmtWage(v.wage_min, v.wage_max, v.wage_period)],
      [t('places'), `${fmtInt(v.headcount)} / ${fmtInt(v.filled)}`],
      [t('age_label'), `${v.age_min}–${v.age_max}`],
      [t('start_date'), `${v.start_date || '—'} – ${v.end_date || ''}`],
      [t('accommodation_provided'), v.accommodation ? t('yes') : t('no')],
      [t('transport_provided'), v.transport ? t('yes') : t('no')],
      v.project_id ? [t('project'), link(`#/projects/${v.project_id}`, v.project_name || `#${v.project_id}`)] : null,
      v.kind === 'labor_export' ? [t('dest_province_label'), `${v.dest_province_name || ''} ${v.dest_city || ''}`] : null,
    ]), v.description ? h('p', null, v.description) : null),
    h('div', { class: 'two-col' },
      section(t('required_skills'), h('ul', { class: 'plain', id: 'vacancy-skills' }, (v.required_skills || []).map((s) => h('li', null,
        `${en ? s.name_en : s.name} · ${enumLabel('skill_level', s.min_level)}${s.must_have ? ` · ${t('must_have')}` : ''}`))),
      (v.required_skills || []).length ? null : h('p', { class: 'muted' }, t('none'))),
      section(t('required_certificates'), h('ul', { class: 'plain' }, (v.required_certificates || []).map((c) => h('li', null, en ? c.name_en : c.name))),
        (v.required_certificates || []).length ? null : h('p', { class: 'muted' }, t('none')))),
    ctx.can('applications:read') ? applicationsPanel(ctx, v, apps, () => ctx.refresh()) : null,
    ctx.can('history:read') ? historyPanel(`/v1/vacancies/${v.id}`, 'vacancy-history') : null);
  root.dataset.loaded = 'vacancy';
}

function partsText(parts) {
  return Object.entries(parts || {}).map(([k, n]) => h('span', null, `${enumLabel('part', k)} ${Number(n).toFixed(1)}`));
}

function candidateCard(ctx, v, c, appsByWorker, rerender) {
  const w = c.worker || {};
  const app = appsByWorker.get(c.id);
  const live = app && !['rejected', 'withdrawn'].includes(app.status);
  const act = h('div', { class: 'act' });
  if (app) {
    act.append(badge(t('in_list', { status: enumLabel('application_status', app.status) }), app.status === 'hired' ? 'ok' : 'info'));
    if (live && ctx.can('applications:write')) act.append(applicationActions(app, v, (r) => { appsByWorker.set(c.id, r); rerender(); }));
  }
  if (!live && ctx.can('applications:write')) {
    // one key per card: a click again after a lost answer finds the application made the first time
    const key = api.newKey();
    const add = h('button', { type: 'button', class: 'small', dataset: { worker: c.id } }, t('shortlist'));
    add.addEventListener('click', async () => {
      add.disabled = true;
      try {
        const created = await api.post('/v1/applications', { worker_id: c.id, vacancy_id: v.id, source: 'staff' }, { idempotencyKey: key });
        const moved = created.status === 'applied' ? await api.post(`/v1/applications/${created.id}/transitions`, { to: 'shortlisted' }) : created;
        appsByWorker.set(c.id, moved);
        toast(t('applied_msg'));
        rerender();
      } catch (e) {
        add.disabled = false;
        act.append(problemView(e));
      }
    });
    act.append(add);
  }
  const flags = [];
  if (w.zero_employment) flags.push(badge(t('zero_employment_households'), 'bad'));
  if (w.monitoring_status && w.monitoring_status !== 'none') flags.push(badge(enumLabel('monitoring_status', w.monitoring_status), 'warn'));
  return h('li', { class: 'cand', dataset: { worker: c.id } },
    h('div', { class: 'who' },
      h('a', { class: 'name', href: `#/workers/${c.id}` }, w.name || `#${c.id}`),
      h('span', { class: 'muted' }, `${w.id_number_masked || ''} · ${w.age ?? '—'} / ${w.sex ? t(`sex_${w.sex}`) : '—'}`),
      h('span', { class: 'muted' }, w.site_name || ''), h('span', null, flags)),
    h('div', null,
      h('div', null, h('span', { class: 'score' }, Number(c.score).toFixed(1)), ' ', h('span', { class: 'muted' },
        `${t('score')} · ${t('distance')} ${c.distance_km ?? '—'} ${t('km')}`)),
      h('ul', { class: 'reasons' }, (c.reasons || []).map((r) => h('li', { dataset: { code: r.code } }, r.text))),
      h('div', { class: 'parts' }, partsText(c.parts))),
    act);
}

// The matching index follows the database a moment behind it: a vacancy just
// posted is not in it yet (503 not_ready), and one just opened again is still
// seen there as closed or full.  The first page is then asked for again, a
// little later each time, for up to INDEX_WAIT_MS.
const INDEX_WAIT_MS = 60000;

function notReady(err) {
  return err instanceof api.ApiError && err.status === 503 && err.code === 'not_ready';
}

// The database (the vacancy card) says open with places left, the index removed it as closed or full
function indexBehind(d) {
  const cur = d && d.vacancy;
  if (!cur || cur.status !== 'open' || !(cur.filled < cur.headcount)) return false;
  return (d.removed || []).some((r) => r.filter === 'vacancy_closed' || r.filter === 'vacancy_full');
}

export async function candidates(ctx) {
  const { root, params, query: q } = ctx;
  root.append(loading());
  const v = await api.get(`/v1/vacancies/${params.id}`);
  if (!(await api.hasRoute('GET', '/v1/vacancies/{id}/candidates'))) {
    clear(root, h('h1', null, `${t('candidates')} · ${v.title}`),
      notice(t('err_not_available', { route: 'GET /v1/vacancies/{id}/candidates' }), 'warn'));
    root.dataset.loaded = 'candidates-unavailable';
    return;
  }
  const appsByWorker = new Map();
  if (ctx.can('applications:read')) {
    const apps = await api.get('/v1/applications', { vacancy_id: v.id, limit: 200, sort: '-id' });
    for (const a of apps.items.reverse()) if (!['rejected', 'withdrawn'].includes(a.status) || !appsByWorker.has(a.worker_id)) appsByWorker.set(a.worker_id, a);
  }
  const form = h('form', { class: 'filters', id: 'candidate-filters' },
    field(t('min_score'), numberInput('min_score', q.min_score, { min: 0, max: 100 })),
    field(t('max_km'), numberInput('max_km', q.max_km, { min: 0, max: 5000 })),
    h('div', { class: 'buttons' }, h('button', { type: 'submit' }, t('search'))));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const fd = new FormData(form);
    ctx.go(`#/vacancies/${v.id}/candidates${api.query({ min_score: str(fd, 'min_score'), max_km: str(fd, 'max_km') })}`);
  });
  const listEl = h('ul', { class: 'cand-list', id: 'candidates' });
  const summary = h('div');
  const waitSlot = h('div', { id: 'candidates-wait' });
  const errSlot = h('div');
  const more = h('button', { type: 'button', class: 'secondary', hidden: true }, t('more'));
  const again = h('button', { type: 'button', class: 'secondary', id: 'candidates-refresh' }, t('refresh'));
  let shown = [];
  let cursor = null;
  const rerender = () => clear(listEl, shown.map((c) => candidateCard(ctx, v, c, appsByWorker, rerender)));
  const ask = () => api.get(`/v1/vacancies/${v.id}/candidates`, { k: 20, cursor, lang: getLang(), min_score: q.min_score, max_km: q.max_km });

  // The first page, waiting while the index is behind; null when the page was left meanwhile
  async function firstPage() {
    const until = Date.now() + INDEX_WAIT_MS;
    for (let attempt = 0; ; attempt++) {
      let d = null;
      let err = null;
      try {
        d = await ask();
      } catch (e) {
        err = e;
      }
      const behind = err ? notReady(err) : indexBehind(d);
      if (!behind || Date.now() >= until) {
        clear(waitSlot, behind ? notice(t('index_behind'), 'warn') : null);
        if (err) throw err;
        return d;
      }
      clear(waitSlot, h('p', { class: 'loading', role: 'status' }, t('index_catching_up')));
      await sleep(retryDelay(attempt, err));
      if (!root.isConnected) return null;
    }
  }
  async function load(first) {
    more.disabled = true;
    again.disabled = true;
    showError(errSlot, null);
    try {
      if (first) cursor = null;
      const d = first ? await firstPage() : await ask();
      if (!d) return;
      if (first) {
        shown = [];
        clear(summary, h('p', { class: 'muted', id: 'candidate-counts' }, t('candidates_counts', { scanned: fmtInt(d.counts && d.counts.scanned), n: fmtInt(d.counts && d.counts.candidates) })));
        if ((d.removed || []).length) summary.append(h('details', null, h('summary', null, t('removed_title')), h('ul', null, d.removed.map((r) => h('li', null, r.text)))));
      }
      shown.push(...(d.items || []));
      cursor = d.next_cursor || null;
      more.hidden = !cursor;
      rerender();
      if (!shown.length) listEl.append(h('li', { class: 'muted' }, t('empty')));
    } catch (e) {
      showError(errSlot, e);
    } finally {
      more.disabled = false;
      again.disabled = false;
    }
  }
  more.addEventListener('click', () => load(false));
  again.addEventListener('click', () => load(true));
  clear(root,
    h('div', { class: 'page-head' }, h('h1', null, `${t('candidates')} · `, link(`#/vacancies/${v.id}`, v.title)), statusBadge(v.status),
      h('span', { class: 'muted' }, `${fmtWage(v.wage_min, v.wage_max, v.wage_period)} · ${t('places')} ${v.headcount}/${v.filled}`),
      h('div', { class: 'actions' }, again)),
    form, waitSlot, summary, errSlot, listEl, h('div', { class: 'pager' }, more));
  await load(true);
  root.dataset.loaded = 'candidates';
}
