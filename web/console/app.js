// The staff console: sign-in, the frame (navigation by role) and the router.
// Routes are hashes (#/vacancies/12), so the server only serves index.html.
import * as api from './api.js';
import { t, getLang, setLang, enumLabel } from './i18n.js';
import { h, clear, notice, problemView, onSubmit, showError, str } from './ui.js';
import * as ref from './refdata.js';
import * as dashboard from './page-dashboard.js';
import * as workers from './page-workers.js';
import * as households from './page-households.js';
import * as employers from './page-employers.js';
import * as vacancies from './page-vacancies.js';
import * as projects from './page-projects.js';
import * as followups from './page-followups.js';
import * as tasks from './page-tasks.js';
import * as fairness from './page-fairness.js';
import * as imports from './page-imports.js';
import * as reports from './page-reports.js';
import * as allocation from './page-allocation.js';
import * as trips from './page-export.js';
import * as accounts from './page-accounts.js';
import * as payroll from './page-payroll.js';
import * as training from './page-training.js';
import * as deptlists from './page-deptlists.js';

// What each role may do, as server/http/policy.c says (the API enforces it; the
// console only hides what would be refused). Viewers see reports only.
const STAFF = ['admin', 'county_staff', 'site_staff'];
const POLICIES = {
  'reports:read': [...STAFF, 'viewer'],
  'reference:read': [...STAFF, 'viewer'],
  'sites:read': STAFF,
  'households:read': STAFF,
  'households:write': STAFF,
  'workers:read': STAFF,
  'workers:write': STAFF,
  'employers:read': STAFF,
  'employers:write': ['admin', 'county_staff'],
  'vacancies:read': STAFF,
  'vacancies:write': ['admin', 'county_staff'],
  'projects:read': STAFF,
  'projects:write': ['admin', 'county_staff'],
  'applications:read': STAFF,
  'applications:write': STAFF,
  'placements:read': STAFF,
  'placements:write': STAFF,
  'tasks:read': STAFF,
  'tasks:write': STAFF,
  'imports:write': STAFF,
  'matches:read': STAFF,
  'allocations:read': STAFF,
  'allocations:write': ['admin', 'county_staff'],
  'pii:reveal': ['admin'],
  'history:read': STAFF,
  'trips:read': STAFF,
  'trips:write': ['admin', 'county_staff'],
  'trips:manage': STAFF,
  'fairness:read': STAFF,
  'accounts:read': ['admin', 'county_staff'],
  'accounts:write': ['admin', 'county_staff'],
  'brokers:write': ['admin'],
  'payroll:read': STAFF,
  'payroll:write': STAFF,
  'payroll:approve': ['admin', 'county_staff'],
  'training:read': STAFF,
  'training:write': STAFF,
  'department_lists:read': STAFF,
  'department_lists:write': STAFF,
};

// [pattern, policy, page function, nav label key (shown in the menu)]
const ROUTES = [
  ['dashboard', 'reports:read', dashboard.render, 'nav_dashboard'],
  ['workers', 'workers:read', workers.list, 'nav_workers'],
  ['workers/:id', 'workers:read', workers.detail],
  ['households', 'households:read', households.list, 'nav_households'],
  ['households/new', 'households:write', households.create],
  ['households/:id', 'households:read', households.detail],
  ['employers', 'employers:read', employers.list, 'nav_employers'],
  ['employers/new', 'employers:write', employers.edit],
  ['employers/:id', 'employers:read', employers.edit],
  ['vacancies', 'vacancies:read', vacancies.list, 'nav_vacancies'],
  ['vacancies/new', 'vacancies:write', vacancies.edit],
  ['vacancies/:id', 'vacancies:read', vacancies.detail],
  ['vacancies/:id/edit', 'vacancies:write', vacancies.edit],
  ['vacancies/:id/candidates', 'matches:read', vacancies.candidates],
  ['projects', 'projects:read', projects.list, 'nav_projects'],
  ['projects/:id', 'projects:read', projects.detail],
  ['projects/:id/payroll', 'payroll:read', payroll.render],
  ['allocations/:id/notice', 'allocations:read', allocation.noticePage],
  ['followups', 'placements:read', followups.list, 'nav_followups'],
  ['placements/:id', 'placements:read', followups.placement],
  ['trips', 'trips:read', trips.list, 'nav_trips'],
  ['trips/:id', 'trips:read', trips.detail],
  ['tasks', 'tasks:read', tasks.list, 'nav_tasks'],
  ['department-lists', 'department_lists:read', deptlists.list, 'nav_deptlists'],
  ['department-lists/:id', 'department_lists:read', deptlists.detail],
  ['training', 'training:read', training.list, 'nav_training'],
  ['training/:id', 'training:read', training.detail],
  ['imports', 'imports:write', imports.render, 'nav_imports'],
  ['reports/quarterly', 'reports:read', reports.quarterly, 'nav_quarterly'],
  ['reports/quarterly/print', 'reports:read', reports.print],
  ['reports/fairness', 'fairness:read', fairness.render, 'nav_fairness'],
  ['accounts', 'accounts:read', accounts.list, 'nav_accounts'],
  ['accounts/new', 'accounts:write', accounts.create],
  ['accounts/:id', 'accounts:read', accounts.detail],
  ['brokers', 'brokers:write', accounts.brokers],
  ['brokers/:id', 'brokers:write', accounts.brokerKeys],
];

let me = null;

function can(policy) {
  return Boolean(me && (POLICIES[policy] || []).includes(me.role));
}

function parseHash() {
  const raw = location.hash.replace(/^#\/?/, '');
  const [path, qs] = raw.split('?');
  return { path: path.replace(/\/+$/, ''), query: Object.fromEntries(new URLSearchParams(qs || '')) };
}

function matchRoute(path) {
  const segs = path.split('/').filter(Boolean);
  for (const r of ROUTES) {
    const ps = r[0].split('/');
    if (ps.length !== segs.length) continue;
    const params = {};
    let ok = true;
    ps.forEach((p, i) => {
      if (p.startsWith(':')) {
        if (!/^\d+$/.test(segs[i])) ok = false;
        params[p.slice(1)] = Number(segs[i]);
      } else if (p !== segs[i]) ok = false;
    });
    if (ok) return { route: r, params };
  }
  return null;
}

export function go(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

function langButton() {
  const b = h('button', { type: 'button', class: 'lang', lang: getLang() === 'en' ? 'zh-CN' : 'en', id: 'lang-switch' }, t('lang_switch'));
  b.addEventListener('click', () => {
    setLang(getLang() === 'en' ? 'zh' : 'en');
    if (me) {
      frame();
      route();
    } else loginView();
  });
  return b;
}

function scopeText() {
  if (!me) return '';
  if (me.site_ids && me.site_ids.length) return t('scope_sites', { list: me.site_ids.join('、') });
  if (me.county_codes && me.county_codes.length) return t('scope_counties', { list: me.county_codes.join('、') });
  return t('scope_all');
}

// The frame around every page: top bar and the menu for this role
function frame() {
  const app = document.getElementById('app');
  document.title = t('app_name');
  const logout = h('button', { type: 'button', class: 'secondary', id: 'logout' }, t('logout'));
  logout.addEventListener('click', signOut);
  const nav = h('nav', { id: 'nav', 'aria-label': t('app_short') },
    h('ul', null, ROUTES.filter((r) => r[3] && can(r[1])).map((r) =>
      h('li', null, h('a', { href: `#/${r[0]}`, dataset: { route: r[0] } }, t(r[3]))))));
  clear(app,
    h('header', { class: 'topbar' },
      h('a', { class: 'brand', href: '#/dashboard' }, t('app_name')),
      h('div', { class: 'who' },
        h('span', { class: 'user', id: 'user' }, me.username),
        h('span', { class: 'role', id: 'role' }, `${enumLabel('role', me.role)} · ${scopeText()}`)),
      langButton(), logout),
    h('div', { class: 'layout' }, nav, h('main', { id: 'main', tabindex: -1 })));
  nameScope();
}

// County names in place of their codes, once the regions are known
async function nameScope() {
  if (!me) return;
  try {
    let text = null;
    if (me.site_ids && me.site_ids.length) {
      const all = await ref.sites();
      text = t('scope_sites', { list: me.site_ids.map((id) => (all.find((x) => x.id === id) || { name: `#${id}` }).name).join('、') });
    } else if (me.county_codes && me.county_codes.length) {
      const all = await ref.counties();
      text = t('scope_counties', { list: me.county_codes.map((c) => (all.find((r) => r.code === c) || { name: String(c) }).name).join('、') });
    }
    const el = document.getElementById('role');
    if (text && el) el.textContent = `${enumLabel('role', me.role)} · ${text}`;
  } catch (e) {
    // the codes stay
  }
}

function markNav(path) {
  for (const a of document.querySelectorAll('#nav a')) {
    const r = a.dataset.route;
    const on = path === r || path.startsWith(`${r}/`);
    if (on) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

async function route() {
  if (!me) return;
  const { path, query } = parseHash();
  if (!path || path === 'login') {
    go('#/dashboard');
    return;
  }
  const main = document.getElementById('main');
  if (!main) return;
  const root = h('div', { class: 'page' });
  main.replaceChildren(root);
  document.body.classList.remove('print-view');
  if (document.adoptedStyleSheets && document.adoptedStyleSheets.length) document.adoptedStyleSheets = [];
  document.title = t('app_name');
  markNav(path);
  const m = matchRoute(path);
  if (!m) {
    root.append(notice(t('not_found_page'), 'warn'));
    return;
  }
  if (!can(m.route[1])) {
    root.append(notice(t('not_allowed_page'), 'warn'));
    return;
  }
  const ctx = { root, params: m.params, query, me, can, go, refresh: route };
  try {
    await m.route[2](ctx);
  } catch (e) {
    if (root.isConnected) root.append(problemView(e));
  }
}

function loginView(message, kind = 'warn') {
  me = null;
  const app = document.getElementById('app');
  document.title = t('app_name');
  const errSlot = h('div', { class: 'err-slot' });
  const form = h('form', { class: 'login', id: 'login-form', autocomplete: 'on' },
    h('h1', null, t('login_title')),
    h('p', { class: 'muted' }, t('login_hint')),
    message ? notice(message, kind) : null,
    h('div', { class: 'field' }, h('label', { for: 'login-user' }, t('username')),
      h('input', { id: 'login-user', name: 'username', autocomplete: 'username', required: true })),
    h('div', { class: 'field' }, h('label', { for: 'login-pass' }, t('password')),
      h('input', { id: 'login-pass', name: 'password', type: 'password', autocomplete: 'current-password', required: true })),
    errSlot,
    h('div', { class: 'buttons' }, h('button', { type: 'submit' }, t('login'))));
  onSubmit(form, errSlot, async (fd) => {
    const r = await api.post('/v1/auth/login', { username: str(fd, 'username'), password: fd.get('password') || '' });
    api.setToken(r.token);
    await startSession();
  });
  clear(app, h('div', { class: 'login-page' },
    h('header', { class: 'login-top' }, h('span', { class: 'brand' }, t('app_name')), langButton()), form));
  const user = document.getElementById('login-user');
  if (user) user.focus();
}

async function startSession() {
  try {
    me = await api.get('/v1/auth/me');
  } catch (e) {
    api.setToken(null);
    loginView();
    if (e.status !== 401) showError(document.querySelector('#login-form .err-slot'), e);
    return;
  }
  if (!['admin', 'county_staff', 'site_staff', 'viewer'].includes(me.role)) {
    api.setToken(null);
    loginView(t('not_allowed_page'));
    return;
  }
  frame();
  const { path } = parseHash();
  const m = path && matchRoute(path);
  if (!m || !can(m.route[1])) go('#/dashboard');
  else route();
}

async function signOut() {
  try {
    await api.post('/v1/auth/logout');
  } catch (e) {
    // the session is forgotten here whatever the server says
  }
  api.setToken(null);
  ref.forget();
  history.replaceState(null, '', location.pathname);
  loginView(t('logged_out'), 'ok');
}

api.onSessionLost(() => {
  ref.forget();
  loginView(t('session_lost'));
});

window.addEventListener('hashchange', route);
document.documentElement.lang = getLang() === 'en' ? 'en' : 'zh-CN';
if (api.token()) startSession();
else loginView();
