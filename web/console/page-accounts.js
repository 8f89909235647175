// Accounts without the command line: staff accounts (create with role and
// counties or sites, reset the password, lock and unlock, sign-in history),
// labour brokers and their API keys, and a kiosk PIN made by the server.
// Passwords, PINs and keys are shown once, when they are made; the server
// keeps only their hashes. County staff see and manage their own sites' staff.
import * as api from './api.js';
import * as ref from './refdata.js';
import { t, enumLabel } from './i18n.js';
import { h, clear, pagedTable, field, input, select, section, facts, badge, link, loading, onSubmit, showError, str, toast, fmtDateTime, table } from './ui.js';

// The one time a secret is shown: large, selectable, with a print button
function secretBox(label, value, id, extra) {
  const slip = h('div', { class: 'secret-box', id, role: 'status' },
    h('p', null, label), h('p', { class: 'secret mono' }, value), extra || null,
    h('p', { class: 'muted' }, t('acc_shown_once')),
    h('button', { type: 'button', class: 'secondary no-print', onclick: () => window.print() }, t('acc_print_slip')));
  return slip;
}

function lockBadge(a) {
  if (a.locked_by_staff) return badge(t('acc_locked'), 'warn');
  if (a.locked) return badge(t('acc_locked_failures'), 'warn');
  return null;
}

export async function list(ctx) {
  const q = ctx.query;
  const form = h('form', { class: 'filters', id: 'account-search' },
    field(t('acc_search'), input('q', q.q, { maxlength: 100 })),
    field(t('acc_role'), select('role', 'role', q.role, { empty: t('all') })),
    h('div', { class: 'buttons' }, h('button', { type: 'submit' }, t('search')), h('a', { class: 'button secondary', href: '#/accounts' }, t('reset'))));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const fd = new FormData(form);
    ctx.go(`#/accounts${api.query({ q: str(fd, 'q'), role: str(fd, 'role') })}`);
  });
  const cols = [
    { label: t('username'), value: (a) => link(`#/accounts/${a.id}`, a.username) },
    { label: t('acc_display_name'), value: (a) => a.display_name || '—' },
    { label: t('acc_role'), value: (a) => enumLabel('role', a.role) },
    { label: t('acc_scope'), value: (a) => (a.site_ids.length ? t('scope_sites', { list: a.site_ids.join('、') })
      : a.county_codes.length ? t('scope_counties', { list: a.county_codes.join('、') }) : t('scope_all')) },
    { label: t('acc_last_sign_in'), value: (a) => (a.last_sign_in_at ? fmtDateTime(a.last_sign_in_at) : '—') },
    { label: t('status'), value: (a) => lockBadge(a) || t('acc_active') },
  ];
  const results = pagedTable(cols, (cursor) => api.get('/v1/accounts', { q: q.q, role: q.role, limit: 50, cursor }));
  clear(ctx.root,
    h('div', { class: 'page-head' }, h('h1', null, t('acc_title')),
      h('div', { class: 'actions' }, h('a', { class: 'button', href: '#/accounts/new', id: 'new-account' }, t('acc_new')),
        ctx.can('brokers:write') ? h('a', { class: 'button secondary', href: '#/brokers', id: 'open-brokers' }, t('acc_brokers')) : null)),
    ctx.me.role === 'county_staff' ? h('p', { class: 'muted' }, t('acc_county_hint')) : null,
    form, results);
  ctx.root.dataset.loaded = 'accounts';
  await results.ready;
}

export async function create(ctx) {
  const { root } = ctx;
  root.append(loading());
  const admin = ctx.me.role === 'admin';
  const [sites, counties] = await Promise.all([ref.sites(), admin ? ref.countyOptions() : Promise.resolve([])]);
  const roles = admin ? ['site_staff', 'county_staff', 'admin', 'viewer'] : ['site_staff'];
  const roleSel = select('role', roles.map((r) => [r, enumLabel('role', r)]), 'site_staff');
  const siteBox = h('div', { class: 'checks', id: 'account-sites' }, sites.map((s) =>
    h('label', null, h('input', { type: 'checkbox', name: 'site_ids', value: s.id }), ` ${s.name}（${s.county_name || s.county_code}）`)));
  const countySel = select('county_codes', counties, '', { empty: '—' });
  const siteField = field(t('acc_sites'), siteBox);
  const countyField = field(t('acc_counties'), countySel);
  function showScope() {
    siteField.hidden = roleSel.value !== 'site_staff';
    countyField.hidden = roleSel.value !== 'county_staff';
  }
  roleSel.addEventListener('change', showScope);
  const errSlot = h('div');
  const done = h('div', { class: 'wide' });
  const form = h('form', { class: 'grid-form', id: 'account-form', autocomplete: 'off', novalidate: true },
    field(t('username'), input('username', '', { required: true, maxlength: 40, pattern: '[a-z0-9_.\\-]{3,40}', autocomplete: 'off' }), t('acc_username_hint')),
    field(t('acc_display_name'), input('display_name', '', { maxlength: 50 })),
    field(t('acc_role'), roleSel),
    countyField,
    h('div', { class: 'wide' }, siteField),
    h('div', { class: 'wide' }, errSlot),
    h('div', { class: 'buttons wide' }, h('button', { type: 'submit' }, t('acc_create')), h('a', { class: 'button secondary', href: '#/accounts' }, t('cancel'))),
    done);
  showScope();
  onSubmit(form, errSlot, async (fd) => {
    const role = str(fd, 'role');
    const body = { username: str(fd, 'username'), display_name: str(fd, 'display_name'), role };
    if (role === 'site_staff') body.site_ids = fd.getAll('site_ids').map(Number);
    if (role === 'county_staff' && str(fd, 'county_codes')) body.county_codes = [Number(str(fd, 'county_codes'))];
    const a = await api.post('/v1/accounts', body);
    for (const el of form.elements) el.disabled = true;
    clear(done, secretBox(t('acc_password_for', { user: a.username }), a.password, 'new-password'),
      h('p', null, link(`#/accounts/${a.id}`, t('acc_open', { user: a.username }))));
  });
  clear(root, h('h1', null, t('acc_new')), section(t('acc_new'), form));
  root.dataset.loaded = 'account-form';
}

export async function detail(ctx) {
  const { root, params } = ctx;
  root.append(loading());
  const a = await api.get(`/v1/accounts/${params.id}`);
  const msg = h('div', { id: 'account-message' });
  async function act(path, button) {
    button.disabled = true;
    try {
      const r = await api.post(`/v1/accounts/${a.id}/${path}`);
      if (path === 'password') {
        clear(msg, secretBox(t('acc_password_for', { user: a.username }), r.password, 'new-password'));
        return;
      }
      toast(t('saved'));
      ctx.refresh();
    } catch (e) {
      showError(msg, e);
    } finally {
      button.disabled = false;
    }
  }
  const mine = ctx.me.id === a.id;
  const actions = h('div', { class: 'actions' },
    h('button', { type: 'button', id: 'reset-password', onclick: (e) => act('password', e.currentTarget) }, t('acc_reset_password')),
    a.locked
      ? h('button', { type: 'button', class: 'secondary', id: 'unlock-account', onclick: (e) => act('unlock', e.currentTarget) }, t('acc_unlock'))
      : mine ? null : h('button', { type: 'button', class: 'secondary', id: 'lock-account', onclick: (e) => act('lock', e.currentTarget) }, t('acc_lock')));
  const cols = [
    { label: t('acc_when'), value: (x) => fmtDateTime(x.at) },
    { label: t('acc_result'), value: (x) => (x.ok ? t('acc_signed_in') : badge(t('acc_wrong_password'), 'warn')) },
    { label: t('acc_from'), value: (x) => h('span', { class: 'mono' }, x.peer || '—') },
  ];
  const history = pagedTable(cols, (cursor) => api.get(`/v1/accounts/${a.id}/sign-ins`, { limit: 20, cursor }));
  clear(root,
    h('div', { class: 'page-head' }, h('h1', { id: 'account-name' }, a.username), h('span', { id: 'account-status' }, lockBadge(a)), actions),
    msg,
    section(t('profile'), facts([
      [t('acc_display_name'), a.display_name],
      [t('acc_role'), enumLabel('role', a.role)],
      [t('acc_scope'), a.site_ids.length ? t('scope_sites', { list: a.site_ids.join('、') })
        : a.county_codes.length ? t('scope_counties', { list: a.county_codes.join('、') }) : t('scope_all')],
      [t('acc_password_changed'), fmtDateTime(a.password_changed_at)],
      [t('acc_last_sign_in'), a.last_sign_in_at ? fmtDateTime(a.last_sign_in_at) : '—'],
      [t('acc_failed'), String(a.failed_logins)],
    ])),
    section(t('acc_history'), h('div', { id: 'sign-ins' }, history)));
  root.dataset.loaded = 'account';
  await history.ready;
}

export async function brokers(ctx) {
  const { root } = ctx;
  const errSlot = h('div');
  const form = h('form', { class: 'filters', id: 'broker-form' },
    field(t('acc_broker_name'), input('name', '', { required: true, maxlength: 100 })),
    field(t('acc_broker_contact'), input('contact_name', '', { maxlength: 50 })),
    h('div', { class: 'buttons' }, h('button', { type: 'submit' }, t('acc_broker_new'))), errSlot);
  onSubmit(form, errSlot, async (fd) => {
    const b = await api.post('/v1/brokers', { name: str(fd, 'name'), contact_name: str(fd, 'contact_name') });
    ctx.go(`#/brokers/${b.id}`);
  });
  const cols = [
    { label: t('acc_broker_name'), value: (b) => link(`#/brokers/${b.id}`, b.name) },
    { label: t('acc_keys'), num: true, value: (b) => String(b.keys) },
    { label: t('acc_broker_applications'), num: true, value: (b) => String(b.applications) },
  ];
  const results = pagedTable(cols, (cursor) => api.get('/v1/brokers', { limit: 50, cursor }));
  clear(root, h('h1', null, t('acc_brokers')), section(t('acc_broker_new'), form), results);
  root.dataset.loaded = 'brokers';
  await results.ready;
}

const SCOPES = ['vacancies:read', 'matches:read', 'applications:write'];

export async function brokerKeys(ctx) {
  const { root, params } = ctx;
  root.append(loading());
  const [b, keys] = await Promise.all([api.get(`/v1/brokers/${params.id}`), api.get(`/v1/brokers/${params.id}/keys`)]);
  const msg = h('div', { id: 'key-message' });
  const errSlot = h('div');
  const form = h('form', { class: 'filters', id: 'key-form' },
    h('div', { class: 'checks' }, SCOPES.map((s) => h('label', null, h('input', { type: 'checkbox', name: 'scopes', value: s, checked: s === 'vacancies:read' }), ` ${t(`acc_scope_${s.replace(':', '_')}`)}`))),
    h('div', { class: 'buttons' }, h('button', { type: 'submit', id: 'create-key' }, t('acc_key_new'))), errSlot);
  onSubmit(form, errSlot, async (fd) => {
    const k = await api.post(`/v1/brokers/${b.id}/keys`, { scopes: fd.getAll('scopes') });
    clear(msg, secretBox(t('acc_key_for', { name: b.name }), k.key, 'new-key', h('p', { class: 'muted' }, t('acc_key_rotate'))));
  });
  async function revoke(k, button) {
    button.disabled = true;
    try {
      await api.post(`/v1/brokers/${b.id}/keys/${k.id}/revoke`);
      toast(t('saved'));
      ctx.refresh();
    } catch (e) {
      showError(msg, e);
      button.disabled = false;
    }
  }
  const cols = [
    { label: t('acc_key_prefix'), value: (k) => h('span', { class: 'mono' }, `${k.prefix}…`) },
    { label: t('acc_key_scopes'), value: (k) => k.scopes.map((s) => t(`acc_scope_${s.replace(':', '_')}`)).join('、') },
    { label: t('acc_key_created'), value: (k) => fmtDateTime(k.created_at) },
    { label: t('acc_key_used'), value: (k) => (k.last_used_at ? fmtDateTime(k.last_used_at) : '—') },
    { label: t('status'), value: (k) => (k.revoked_at ? badge(t('acc_key_revoked'), 'warn')
      : h('button', { type: 'button', class: 'secondary small', dataset: { key: k.id }, onclick: (e) => revoke(k, e.currentTarget) }, t('acc_key_revoke'))) },
  ];
  clear(root, h('div', { class: 'page-head' }, h('h1', null, b.name), h('div', { class: 'actions' }, link('#/brokers', t('back')))),
    msg, section(t('acc_key_new'), form), section(t('acc_keys'), h('div', { id: 'broker-keys' }, table(cols, keys.items))));
  root.dataset.loaded = 'broker-keys';
}

// A kiosk PIN made by the server, for the worker page: shown once, printable
export function pinResetButton(w) {
  const out = h('div', { id: 'pin-reset-result' });
  const b = h('button', { type: 'button', class: 'secondary', id: 'pin-generate' }, t('acc_pin_generate'));
  b.addEventListener('click', async () => {
    b.disabled = true;
    try {
      const r = await api.post(`/v1/workers/${w.id}/pin-reset`);
      clear(out, secretBox(t('acc_pin_for', { name: w.name || '' }), r.pin, 'new-pin', h('p', null, t('acc_pin_slip'))));
    } catch (e) {
      showError(out, e);
    } finally {
      b.disabled = false;
    }
  });
  return h('div', { class: 'pin-reset' }, b, out);
}
