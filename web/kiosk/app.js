// The kiosk for job seekers: log in with ID number and PIN on an on-screen
// keypad, see the jobs that fit, apply, follow applications, print a slip,
// see one's own details, log out.  After `idle` seconds without a touch a
// countdown appears; when it runs out the session ends and the page forgets
// everything (state, DOM, token).
//
// Settings per kiosk, in the address: ?lang=en (first language),
// ?speech=0 (no button that reads the screen aloud; it is there by default
// wherever the browser can speak), ?large=1 (large text from the start),
// ?idle=120 (seconds without a touch before the countdown), ?countdown=15
// (its seconds).

import * as api from './api.js';
import { h, icon, button, loadIcons } from './dom.js';
import {
  t, setLang, getLang, KINDS, KIND_ICONS, kindName, statusName, employmentName, levelName,
  periodName, wageFigure, distanceText, dateText, reasonIsNegative, plainReason, fitStars, fitWord,
} from './i18n.js';
import { keypad, keyFromEvent } from './keypad.js';
import { screenHelp, screenHelpDone, helpText } from './help.js';
import { courseScreens, courseWords } from './courses.js';
import { tripScreens, tripWords } from './trips.js';

const cfg = readConfig(new URLSearchParams(window.location.search));
const DISTANCES = [0, 5, 20, 50, 100];
const PAGE = 10;
const KEEPALIVE_S = 45;

let state = freshState();
let navSeq = 0; // bumped by every change of screen: late answers for an old one are dropped
let idleTimer = null;
let countdownTimer = null;
let countdownLeft = 0;
let keepaliveTimer = null;
const training = courseScreens({
  get state() { return state; }, goTo, show, render, setMessage, navSeq: () => navSeq,
});
const trips = tripScreens({
  get state() { return state; }, goTo, show, render, setMessage, navSeq: () => navSeq, showMe: () => showMe(),
});

function readConfig(q) {
  const int = (v, lo, hi, dflt) => {
    const n = Number.parseInt(v, 10);
    return Number.isFinite(n) && n >= lo && n <= hi ? n : dflt;
  };
  return {
    lang: q.get('lang') === 'en' ? 'en' : 'zh',
    speech: !['0', 'false', 'off'].includes(q.get('speech') || ''),
    large: ['1', 'true', 'on'].includes(q.get('large') || ''),
    idle: int(q.get('idle'), 2, 3600, 120),
    countdown: int(q.get('countdown'), 1, 120, 15),
  };
}

function freshState() {
  return {
    screen: 'login_id', // login_id, login_pin, jobs, job, confirm, applied, apps, slip, me
    idBuf: '',
    pinBuf: '',
    message: null, // {key, arg, tone: 'bad'|'ok'|'info'}
    busy: false,
    jobs: null, // {items, cursor, facets}
    kind: '',
    maxKm: 0,
    job: null,
    applied: null,
    apps: null,
    liveVacancies: new Set(),
    withdrawing: null,
    slip: null,
    me: null,
    prefs: null, // the seeker's own wishes, for reasons in plain words
    prefsDraft: null,
    justWithdrew: null,
    loading: false,
  };
}

/* ---------- the frame: top bar, notices, countdown ---------- */

const $ = (id) => document.getElementById(id);

function renderTop() {
  const loggedIn = api.hasSession();
  const bar = $('topbar');
  const tools = [
    button(t('lang_switch'), 'globe', switchLanguage, 'tool', { action: 'lang' }),
    cfg.speech && 'speechSynthesis' in window
      ? button(t('speak'), 'speaker', speakScreen, 'tool', { action: 'speak' }) : null,
    button(largeText ? t('normal_text') : t('large_text'), null, toggleLargeText, 'tool text-size',
      { action: 'large-text' }),
    loggedIn ? button(t('logout'), 'logout', () => endSession('logged_out'), 'tool logout',
      { action: 'logout' }) : null,
  ];
  bar.replaceChildren(
    h('div', { class: 'brand' }, icon('briefcase', 'brand-icon'), h('span', {}, t('app_name'))),
    h('div', { class: 'tools' }, tools));
  const nav = $('nav');
  if (!loggedIn) {
    nav.replaceChildren();
    nav.hidden = true;
    return;
  }
  nav.hidden = false;
  const tab = (screen, label, iconName, go) => h('button', {
    type: 'button', class: `tab${sectionOf(state.screen) === screen ? ' active' : ''}`,
    data: { nav: screen }, onclick: go,
    'aria-current': sectionOf(state.screen) === screen ? 'page' : null,
  }, icon(iconName), h('span', {}, label));
  nav.replaceChildren(
    tab('jobs', t('nav_jobs'), 'briefcase', () => showJobs(false)),
    tab('apps', t('nav_apps'), 'clipboard', showApps),
    tab('courses', courseWords('nav'), 'award', training.showCourses),
    tab('trips', tripWords('nav'), 'bus', trips.showTrips),
    tab('me', t('nav_me'), 'user', showMe),
    tab('help', helpText('nav'), 'phone', () => { setMessage(null); show('help'); }));
}

// Larger text for the person at the screen; the next person starts with the
// kiosk's own setting.  The page can also be zoomed (the viewport allows it).
let largeText = false;
function setLargeText(on) {
  largeText = on;
  document.documentElement.classList.toggle('large-text', on);
}
function toggleLargeText() {
  setLargeText(!largeText);
  render();
}

function sectionOf(screen) {
  if (['jobs', 'job', 'confirm', 'applied'].includes(screen)) return 'jobs';
  if (['apps', 'slip'].includes(screen)) return 'apps';
  if (screen === 'help_done') return 'help';
  if (screen === 'prefs') return 'me';
  if (['courses', 'course_confirm', 'course_done'].includes(screen)) return 'courses';
  if (['trips', 'trip_confirm', 'trip_withdraw'].includes(screen)) return 'trips';
  return screen;
}

function messageBox() {
  const m = state.message;
  if (!m) return null;
  const iconName = m.tone === 'ok' ? 'check' : m.tone === 'info' ? 'info' : 'alert';
  const text = Array.isArray(m.key) ? m.key.map((k, i) => t(k, m.arg && m.arg[i])).join(' ')
    : t(m.key, m.arg);
  return h('div', { class: `message ${m.tone || 'bad'}`, role: 'alert', 'data-speak': '' },
    icon(iconName), h('span', {}, text));
}

function setMessage(key, tone, arg) { state.message = key ? { key, tone, arg } : null; }

// Shows a screen whose data is at hand.
function show(screen) {
  navSeq += 1;
  state.screen = screen;
  state.loading = false;
  setMessage(null);
  render();
}

// Shows a screen after loading its data: load() resolves with it, keep(data)
// stores it.  If the person moves on meanwhile, the answer is dropped.  On a
// failure the screen `fallback` (or this one, after onFail()) shows a plain
// message.  Resolves true when the screen was shown with its data.
async function goTo(screen, load, keep, { fallback, onFail } = {}) {
  const my = ++navSeq;
  state.screen = screen;
  setMessage(null);
  state.loading = true;
  render();
  let data;
  try {
    data = await load();
  } catch (e) {
    if (e instanceof api.Cancelled || my !== navSeq) return false;
    state.loading = false;
    if (fallback) state.screen = fallback;
    if (onFail) onFail();
    setMessage('trouble', 'bad');
    render();
    return false;
  }
  if (my !== navSeq) return false;
  keep(data);
  state.loading = false;
  render();
  return true;
}

function showBanner(on) {
  const b = $('net-banner');
  if (!on) {
    b.hidden = true;
    b.replaceChildren();
    return;
  }
  b.replaceChildren(icon('clock'), h('span', { class: 'banner-text' }, t('retrying')),
    button(t('retry_now'), null, api.retryNow, 'small'));
  b.hidden = false;
}

function render() {
  document.documentElement.lang = getLang() === 'en' ? 'en' : 'zh-CN';
  document.title = t('app_name');
  renderTop();
  const screens = {
    login_id: screenLoginId, login_pin: screenLoginPin, jobs: screenJobs, job: screenJob,
    confirm: screenConfirm, applied: screenApplied, apps: screenApps, slip: screenSlip, me: screenMe,
    help: () => screenHelp(helpCtx), help_done: () => screenHelpDone(helpCtx),
    prefs: screenPrefs,
    ...training.screens,
    ...trips.screens,
  };
  const body = state.loading ? loadingScreen() : screens[state.screen]();
  $('app').replaceChildren(h('section', { class: `screen screen-${state.screen}`, data: { screen: state.screen } },
    messageBox(), body));
  if (!$('net-banner').hidden) showBanner(true);
}

const helpCtx = { get state() { return state; }, show, render, setMessage };

function loadingScreen() {
  return h('div', { class: 'loading', 'data-speak': '' }, icon('clock'), h('span', {}, t('loading')));
}

/* ---------- logging in ---------- */

function idDisplay(s) {
  const full = (s + '_'.repeat(18)).slice(0, 18);
  return [full.slice(0, 6), full.slice(6, 14), full.slice(14)];
}

// The GB 11643 check character of an 18-character ID number.
function idChecks(s) {
  if (!/^[0-9]{17}[0-9X]$/.test(s)) return false;
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  let sum = 0;
  for (let i = 0; i < 17; i += 1) sum += Number(s[i]) * w[i];
  return '10X98765432'[sum % 11] === s[17];
}

function idGroups() {
  return idDisplay(state.idBuf).map((g) => h('span', { class: 'group' }, g));
}

function pinDots() {
  const dots = [];
  for (let i = 0; i < 6; i += 1) {
    dots.push(h('span', { class: i < state.pinBuf.length ? 'dot filled' : 'dot' }, i < state.pinBuf.length ? '●' : ''));
  }
  return dots;
}

// A key press redraws only what was typed, not the whole screen.
function paintEntry() {
  const id = document.querySelector('[data-entry="id"]');
  if (id) id.replaceChildren(...idGroups());
  const pin = document.querySelector('[data-entry="pin"]');
  if (pin) {
    pin.replaceChildren(...pinDots());
    pin.dataset.filled = String(state.pinBuf.length);
  }
}

function screenLoginId() {
  const display = h('div', { class: 'entry id-entry', 'aria-live': 'polite', data: { entry: 'id' } }, idGroups());
  return h('div', { class: 'login' },
    h('div', { class: 'login-text' },
      h('h1', { 'data-speak': '' }, t('welcome')),
      h('p', { class: 'prompt', 'data-speak': '' }, icon('idcard'), h('span', {}, t('id_prompt'))),
      display,
      h('p', { class: 'hint' }, t('id_hint')),
      button(t('next'), 'forward', submitId, 'primary big', { action: 'next' })),
    keypad({ withX: true, onKey: idKey }));
}

function idKey(k) {
  if (k === 'enter') { submitId(); return; }
  if (k === 'del') state.idBuf = state.idBuf.slice(0, -1);
  else if (k === 'clear') state.idBuf = '';
  else if (state.idBuf.length < 18 && (k !== 'X' || state.idBuf.length === 17)) state.idBuf += k;
  paintEntry();
}

function submitId() {
  if (!idChecks(state.idBuf)) {
    setMessage('id_bad', 'bad');
    render();
    return;
  }
  setMessage(null);
  state.screen = 'login_pin';
  render();
}

function screenLoginPin() {
  return h('div', { class: 'login' },
    h('div', { class: 'login-text' },
      h('p', { class: 'prompt', 'data-speak': '' }, icon('lock'), h('span', {}, t('pin_prompt'))),
      h('div', { class: 'entry pin-entry', data: { entry: 'pin', filled: state.pinBuf.length } }, pinDots()),
      h('p', { class: 'hint' }, t('pin_hint')),
      h('div', { class: 'row' },
        button(t('back'), 'back', () => { state.pinBuf = ''; setMessage(null); state.screen = 'login_id'; render(); },
          'secondary', { action: 'back' }),
        button(t('login'), 'check', submitPin, 'primary big', { action: 'login' }))),
    keypad({ withX: false, onKey: pinKey }));
}

function pinKey(k) {
  if (k === 'enter') { submitPin(); return; }
  if (k === 'del') state.pinBuf = state.pinBuf.slice(0, -1);
  else if (k === 'clear') state.pinBuf = '';
  else if (k !== 'X' && state.pinBuf.length < 6) state.pinBuf += k;
  paintEntry();
}

async function submitPin() {
  if (state.busy || state.pinBuf.length !== 6) return;
  state.busy = true;
  const id = state.idBuf;
  const pin = state.pinBuf;
  try {
    await api.login(id, pin, getLang());
    state.idBuf = '';
    state.pinBuf = '';
    setMessage(null);
    armIdle();
    startKeepalive();
    showJobs(true, true);
  } catch (e) {
    if (e instanceof api.Cancelled) return;
    state.pinBuf = '';
    loginFailed(e);
    render();
  } finally {
    state.busy = false;
  }
}

function loginFailed(e) {
  const p = (e && e.problem) || {};
  if (e.status === 423 || p.code === 'pin_locked') {
    state.idBuf = '';
    state.screen = 'login_id';
    setMessage('pin_locked', 'bad');
  } else if (e.status === 401) {
    const left = Number.isInteger(p.attempts_left) ? p.attempts_left : null;
    if (left === 0) setMessage('pin_locked', 'bad');
    else if (left !== null) state.message = { key: ['pin_wrong', 'pin_left'], arg: [null, left], tone: 'bad' };
    else setMessage('pin_wrong', 'bad');
  } else if (e.status === 422) {
    state.screen = 'login_id';
    setMessage('id_bad', 'bad');
  } else if (e.status === 429) {
    setMessage('too_many', 'bad');
  } else {
    setMessage('trouble', 'bad');
  }
}

/* ---------- jobs ---------- */

function jobsPath(cursor) {
  const q = new URLSearchParams({ k: String(PAGE), lang: getLang(), facets: 'true' });
  if (state.kind) q.set('kind', state.kind);
  if (state.maxKm) q.set('max_km', String(state.maxKm));
  if (cursor) q.set('cursor', cursor);
  return `/v1/kiosk/jobs?${q}`;
}

// After sign-in (withSeeker) the seeker's own wishes and live applications
// come with the first list, so that it shows once, with reasons in plain
// words and applied jobs marked from the start.
function showJobs(reload, withSeeker) {
  const lang = getLang();
  if (state.jobs && state.jobs.lang === lang && !reload) { show('jobs'); return; }
  goTo('jobs', async () => (await Promise.all([api.call('GET', jobsPath(null)),
    withSeeker ? loadPrefs() : null, withSeeker ? refreshLiveApplications() : null]))[0], (data) => {
    state.jobs = { items: data.items || [], cursor: data.next_cursor || null, facets: data.facets || null, lang };
  }, { onFail: () => { state.jobs = { items: [], cursor: null, facets: null, lang: null }; } });
}

async function moreJobs() {
  const cursor = state.jobs && state.jobs.cursor;
  if (!cursor || state.busy) return;
  state.busy = true;
  const my = navSeq;
  try {
    const data = await api.call('GET', jobsPath(cursor));
    if (my !== navSeq) return;
    state.jobs.items = state.jobs.items.concat(data.items || []);
    state.jobs.cursor = data.next_cursor || null;
  } catch (e) {
    if (e instanceof api.Cancelled) return;
    setMessage('trouble', 'bad');
  } finally {
    state.busy = false;
  }
  render();
}

function setFilter(kind, maxKm) {
  state.kind = kind;
  state.maxKm = maxKm;
  showJobs(true);
}

function filters() {
  const facets = (state.jobs && state.jobs.facets && state.jobs.facets.kind) || {};
  const chip = (active, label, iconName, onclick, data) => h('button', {
    type: 'button', class: `chip${active ? ' active' : ''}`, onclick, data, 'aria-pressed': active ? 'true' : 'false',
  }, iconName ? icon(iconName) : null, h('span', {}, label));
  const kinds = [chip(!state.kind, t('all'), null, () => setFilter('', state.maxKm), { kind: '' })];
  for (const k of KINDS) {
    const n = facets[k];
    kinds.push(chip(state.kind === k, n === undefined ? kindName(k) : `${kindName(k)} ${n}`,
      KIND_ICONS[k], () => setFilter(k, state.maxKm), { kind: k }));
  }
  const dists = DISTANCES.map((km) => chip(state.maxKm === km, km ? t('within_km', km) : t('any_distance'),
    km ? 'route' : null, () => setFilter(state.kind, km), { km }));
  return h('div', { class: 'filters' },
    h('div', { class: 'filter-row' }, h('span', { class: 'filter-label' }, t('filter_kind')), kinds),
    h('div', { class: 'filter-row' }, h('span', { class: 'filter-label' }, t('filter_dist')), dists));
}

function kindBadge(kind) {
  return h('span', { class: `badge kind-${kind}`, data: { kindBadge: kind } }, icon(KIND_ICONS[kind] || 'briefcase'),
    h('span', {}, kindName(kind)));
}

function wageBlock(v) {
  return h('div', { class: 'wage' }, icon('money'),
    h('span', { class: 'wage-figure' }, wageFigure(v.wage_min, v.wage_max)),
    h('span', { class: 'wage-unit' }, periodName(v.wage_period)));
}

// The reasons, in the kiosk's own plain words where it has them (the same
// words as the chips and the profile), else as the matching core wrote them.
function reasonList(reasons, max, item) {
  const list = (reasons || []).slice(0, max);
  const v = item ? item.vacancy : {};
  return h('ul', { class: 'reasons' }, list.map((r) => {
    const bad = reasonIsNegative(r.code);
    const text = (item && plainReason(r.code, v, item.distance_km, state.prefs)) || r.text;
    return h('li', { class: `reason ${bad ? 'minus' : 'plus'}`, data: { code: r.code }, 'data-speak': '' },
      icon(bad ? 'alert' : 'check'), h('span', {}, text));
  }));
}

// Where the work is: the workplace's address (or its county), or for work
// away from home the province and city.  Never the seeker's home county.
function placeLine(v) {
  if (v.kind === 'labor_export' || v.dest_city) {
    return t('place_away', [v.dest_province_name, v.dest_city].filter(Boolean).join(' '));
  }
  return t('place_here', v.workplace || v.county_name || '');
}

function todayText() {
  return new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10);
}

function startText(d) {
  const day = dateText(d);
  return day < todayText() ? t('started_on', day) : t('starts_on', day);
}

function facts(item, full) {
  const v = item.vacancy;
  const rows = [
    h('div', { class: 'fact place', 'data-speak': '' }, icon('pin'), h('span', {}, placeLine(v))),
    item.distance_km != null ? h('div', { class: 'fact distance' }, icon('route'),
      h('span', { class: 'num' }, t('km_from_home', distanceText(item.distance_km)))) : null,
    h('div', { class: `fact housing ${v.accommodation ? 'yes' : 'no'}` }, icon('home'),
      h('span', {}, v.accommodation ? t('accommodation_yes') : t('accommodation_no'))),
  ];
  if (full) {
    if (v.transport) rows.push(h('div', { class: 'fact' }, icon('bus'), h('span', {}, t('transport_yes'))));
    if (v.start_date) rows.push(h('div', { class: `fact start${dateText(v.start_date) < todayText() ? ' past' : ''}` }, icon('calendar'), h('span', {}, startText(v.start_date))));
    if (v.headcount != null) rows.push(h('div', { class: 'fact' }, icon('people'),
      h('span', {}, t('places_left', Math.max(0, v.headcount - (v.filled || 0))))));
    if (v.contact_phone) rows.push(h('div', { class: 'fact phone' }, icon('phone'),
      h('span', {}, `${t('contact_phone')} `, h('span', { class: 'num' }, v.contact_phone))));
  }
  return h('div', { class: 'facts' }, rows);
}

// How well a job fits: stars and a word first, the number small beside them.
function scoreBlock(score) {
  const n = Math.round(Number(score) || 0);
  const stars = fitStars(n);
  return h('div', { class: 'score', title: t('match'), data: { stars } },
    h('span', { class: 'stars', 'aria-hidden': 'true' }, '★'.repeat(stars) + '☆'.repeat(5 - stars)),
    h('span', { class: 'score-word', 'data-speak': '' }, fitWord(stars)),
    h('span', { class: 'score-num' }, t('points', n)));
}

function jobCard(item) {
  const v = item.vacancy;
  const open = () => showJob(v.id);
  return h('article', { class: 'card job-card', data: { vacancy: v.id, kind: v.kind, km: item.distance_km ?? '' }, onclick: open },
    h('div', { class: 'job-main' },
      kindBadge(v.kind),
      h('h2', { class: 'job-title', 'data-speak': '' }, v.title),
      h('div', { class: 'employer' }, v.employer_name),
      wageBlock(v),
      facts(item, false),
      reasonList(item.reasons, 3, item),
      state.liveVacancies.has(v.id) ? h('div', { class: 'already' }, icon('check'), h('span', {}, t('applied_already'))) : null),
    h('div', { class: 'job-side' },
      scoreBlock(item.score),
      button(t('details'), 'forward', null, 'primary', { action: 'details' })));
}

function screenJobs() {
  const jobs = state.jobs || { items: [] };
  return h('div', { class: 'jobs' },
    h('header', { class: 'screen-head' },
      h('h1', { 'data-speak': '' }, t('jobs_title')), h('p', { class: 'hint' }, t('jobs_hint'))),
    filters(),
    jobs.items.length
      ? h('div', { class: 'job-list' }, jobs.items.map(jobCard))
      : h('p', { class: 'empty', 'data-speak': '' }, icon('info'), h('span', {}, t('no_jobs'))),
    jobs.cursor ? button(t('more_jobs'), 'more', moreJobs, 'secondary wide', { action: 'more' }) : null);
}

function showJob(id) {
  goTo('job', () => api.call('GET', `/v1/kiosk/jobs/${encodeURIComponent(id)}?lang=${getLang()}`),
    (data) => { state.job = data.items ? data.items[0] : data.item || data; }, { fallback: 'jobs' });
}

function screenJob() {
  const item = state.job;
  const v = item.vacancy;
  const already = state.liveVacancies.has(v.id);
  return h('article', { class: 'card job-detail', data: { vacancy: v.id } },
    button(t('back'), 'back', () => showJobs(false), 'secondary', { action: 'back' }),
    h('div', { class: 'card-head' }, kindBadge(v.kind), scoreBlock(item.score)),
    h('h1', { class: 'job-title', 'data-speak': '' }, v.title),
    h('div', { class: 'employer', 'data-speak': '' }, `${t('employer')}: ${v.employer_name}`),
    wageBlock(v),
    facts(item, true),
    h('h2', { class: 'why-label' }, t('why')),
    reasonList(item.reasons, 50, item),
    already ? h('div', { class: 'already' }, icon('check'), h('span', {}, t('applied_already')))
      : button(t('apply'), 'check', () => show('confirm'),
        'primary big', { action: 'apply' }));
}

function screenConfirm() {
  const v = state.job.vacancy;
  return h('div', { class: 'card confirm', role: 'alertdialog' },
    h('h1', { 'data-speak': '' }, t('confirm_title')),
    h('h2', { class: 'job-title', 'data-speak': '' }, v.title),
    h('div', { class: 'employer' }, v.employer_name),
    wageBlock(v),
    h('div', { class: 'row' },
      button(t('confirm_no'), 'back', () => show('job'), 'secondary big', { action: 'cancel' }),
      button(t('confirm_yes'), 'check', apply, 'primary big', { action: 'confirm' })));
}

const applyErrors = { duplicate: 'err_duplicate', full: 'err_full', not_open: 'err_not_open', archived: 'err_not_open', not_seeking: 'err_not_seeking' };

async function apply() {
  if (state.busy) return;
  state.busy = true;
  const v = state.job.vacancy;
  const key = api.newKey();
  const my = navSeq;
  try {
    state.applied = await api.call('POST', '/v1/kiosk/applications', { body: { vacancy_id: v.id }, idempotencyKey: key });
    state.liveVacancies.add(v.id);
    state.apps = null;
    if (my === navSeq) show('applied');
  } catch (e) {
    if (e instanceof api.Cancelled) return;
    if (e.fieldCode === 'duplicate') state.liveVacancies.add(v.id);
    if (my === navSeq) {
      show('job');
      setMessage(applyErrors[e.fieldCode] || 'trouble', e.fieldCode === 'duplicate' ? 'info' : 'bad');
      render();
    }
  } finally {
    state.busy = false;
  }
}

function screenApplied() {
  const a = state.applied;
  return h('div', { class: 'card applied' },
    h('h1', { class: 'ok-title', 'data-speak': '' }, icon('check'), h('span', {}, t('applied_title'))),
    h('h2', { class: 'job-title', 'data-speak': '' }, a.vacancy_title),
    h('div', { class: 'employer' }, a.employer_name),
    h('p', { 'data-speak': '' }, t('applied_text')),
    h('div', { class: 'row' },
      button(t('print_slip'), 'printer', () => showSlip(a.id, true), 'primary big', { action: 'print-slip' }),
      button(t('see_apps'), 'clipboard', showApps, 'secondary big', { action: 'see-apps' })));
}

/* ---------- my applications ---------- */

async function refreshLiveApplications() {
  const mine = state;
  try {
    const data = await api.call('GET', '/v1/kiosk/applications?limit=200', { retry: false });
    if (mine !== state) return;
    state.liveVacancies = new Set((data.items || []).filter((a) => a.live).map((a) => a.vacancy_id));
    if (state.screen === 'jobs' && !state.loading) render();
  } catch {
    // only marks jobs already applied for; the list itself shows the truth
  }
}

// keepOpen === true (after a withdrawal) keeps the withdrawn ones unfolded.
function showApps(keepOpen) {
  state.withdrawing = null;
  if (keepOpen !== true) state.justWithdrew = null;
  return goTo('apps', () => api.call('GET', '/v1/kiosk/applications?limit=50'), (data) => {
    state.apps = data.items || [];
    state.liveVacancies = new Set(state.apps.filter((a) => a.live).map((a) => a.vacancy_id));
  }, { onFail: () => { state.apps = []; } });
}

function appCard(a) {
  const confirming = state.withdrawing === a.id;
  return h('article', { class: `card app-card status-${a.status}`, data: { application: a.id, status: a.status } },
    h('div', { class: 'card-head' }, kindBadge(a.kind),
      h('span', { class: `status status-${a.status}`, 'data-speak': '' }, statusName(a.status))),
    h('h2', { class: 'job-title', 'data-speak': '' }, a.vacancy_title),
    h('div', { class: 'employer' }, a.employer_name),
    wageBlock(a),
    h('div', { class: 'fact' }, icon('calendar'), h('span', {}, `${t('applied_on')} ${dateText(a.created_at)}`)),
    a.live && !confirming ? h('div', { class: 'row' },
      button(t('print_slip'), 'printer', () => showSlip(a.id, true), 'primary', { action: 'print-slip' }),
      button(t('withdraw'), 'clear', () => { state.withdrawing = a.id; render(); }, 'secondary', { action: 'withdraw' })) : null,
    confirming ? h('div', { class: 'confirm-inline', role: 'alertdialog' },
      h('p', { 'data-speak': '' }, t('withdraw_confirm')),
      h('div', { class: 'row' },
        button(t('withdraw_no'), 'back', () => { state.withdrawing = null; render(); }, 'secondary', { action: 'withdraw-no' }),
        button(t('withdraw_yes'), 'check', () => withdraw(a.id), 'danger', { action: 'withdraw-yes' }))) : null);
}

async function withdraw(id) {
  if (state.busy) return;
  state.busy = true;
  let outcome = 'withdrawn_done';
  try {
    await api.call('POST', `/v1/kiosk/applications/${encodeURIComponent(id)}/withdraw`);
  } catch (e) {
    if (e instanceof api.Cancelled) { state.busy = false; return; }
    // 409: already withdrawn or decided (a retried request may have got through): the list shows the truth
    outcome = e.status === 409 ? null : 'trouble';
  }
  state.busy = false;
  state.justWithdrew = id;
  if (await showApps(true) && outcome) {
    setMessage(outcome, outcome === 'trouble' ? 'bad' : 'ok');
    render();
  }
}

// Withdrawn applications are folded away under one line (open just after a
// withdrawal, so the person sees what they did).
function screenApps() {
  const apps = state.apps || [];
  const current = apps.filter((a) => a.status !== 'withdrawn');
  const gone = apps.filter((a) => a.status === 'withdrawn');
  const folded = gone.length ? h('details', { class: 'withdrawn-apps', open: gone.some((a) => a.id === state.justWithdrew) },
    h('summary', {}, t('withdrawn_folded', gone.length)),
    h('div', { class: 'app-list' }, gone.map(appCard))) : null;
  return h('div', { class: 'apps' },
    h('header', { class: 'screen-head' }, h('h1', { 'data-speak': '' }, t('apps_title'))),
    current.length ? h('div', { class: 'app-list' }, current.map(appCard))
      : h('p', { class: 'empty', 'data-speak': '' }, icon('info'), h('span', {}, t('no_apps'))),
    folded);
}

/* ---------- the slip ---------- */

async function showSlip(id, print) {
  const ok = await goTo('slip', () => api.call('GET', `/v1/kiosk/applications/${encodeURIComponent(id)}/slip`),
    (data) => { state.slip = data; }, { fallback: 'apps', onFail: () => { state.apps = state.apps || []; } });
  if (ok && print) window.requestAnimationFrame(() => window.print());
}

function slipRow(label, value, cls) {
  return h('tr', { class: cls }, h('th', { scope: 'row' }, label), h('td', {}, value));
}

function screenSlip() {
  const s = state.slip;
  const v = s.vacancy;
  const e = s.employer;
  const en = getLang() === 'en';
  return h('div', { class: 'slip-screen' },
    h('div', { class: 'row no-print' },
      button(t('back'), 'back', showApps, 'secondary', { action: 'back' }),
      button(t('print'), 'printer', () => window.print(), 'primary big', { action: 'print' })),
    h('article', { class: 'slip', data: { application: s.application.id } },
      h('h1', {}, `${t('app_name')} — ${t('slip_title')}`),
      h('p', { class: 'slip-meta' }, `${t('slip_no')} ${s.application.id} · ${t('slip_date')} ${dateText(s.printed_on)}`),
      h('table', {},
        slipRow(t('name'), s.worker.name),
        slipRow(t('id_number'), s.worker.id_number_masked),
        slipRow(t('slip_job'), en ? `${v.title} (${kindName(v.kind)})` : `${v.title}（${kindName(v.kind)}）`, 'slip-job'),
        slipRow(t('wage'), `${wageFigure(v.wage_min, v.wage_max)} ${periodName(v.wage_period)}`),
        slipRow(t('slip_workplace'), placeLine(v).replace(/^[^：:]*[：:]\s*/, ''), 'slip-workplace'),
        slipRow(t('employer'), e.name),
        slipRow(t('contact'), [e.contact_name, e.contact_phone].filter(Boolean).join('  ')),
        slipRow(t('slip_office'), e.office_address || e.address, 'slip-office'),
        v.start_date ? slipRow(t('start_date'), startText(v.start_date)) : null,
        slipRow(t('status'), statusName(s.application.status))),
      h('h2', {}, t('bring')),
      h('ul', { class: 'bring' }, (s.bring || []).map((b) => h('li', { data: { bring: b.code } },
        h('span', { class: 'box' }, '□'), en ? b.name_en : b.name))),
      h('p', { class: 'slip-desk' }, `${t('ask_at')} ${en ? s.service_desk.name_en : s.service_desk.name}`)));
}

/* ---------- my details ---------- */

function showMe() {
  goTo('me', () => api.call('GET', '/v1/kiosk/me'), (data) => { state.me = data; }, { fallback: 'jobs' });
}

function screenMe() {
  const m = state.me;
  const en = getLang() === 'en';
  const p = m.preferences || {};
  const yn = (b) => (b ? t('yes') : t('no'));
  const row = (label, value, cls) => h('div', { class: `me-row ${cls || ''}` }, h('span', { class: 'me-label' }, label),
    h('span', { class: 'me-value' }, value));
  const list = (items, fmt) => (items && items.length ? h('ul', { class: 'me-list' }, items.map((x) => h('li', {}, fmt(x))))
    : h('span', {}, t('no_items')));
  const desk = m.service_desk || {};
  return h('div', { class: 'me' },
    h('header', { class: 'screen-head' }, h('h1', { 'data-speak': '' }, t('me_title'))),
    h('div', { class: 'card' },
      row(t('name'), m.name, 'me-name'),
      row(t('id_number'), m.id_number_masked, 'me-id num'),
      row(t('phone'), m.phone_masked || t('no_items'), 'me-phone num'),
      row(t('site'), m.site_name || ''),
      row(t('county'), m.county_name || ''),
      row(t('status'), employmentName(m.employment_status)),
      m.current_job ? row(t('current_job'), `${m.current_job.vacancy_title} · ${m.current_job.employer_name}`) : null,
      row(t('skills'), list(m.skills, (s) => `${en ? s.name_en : s.name} · ${levelName(s.level)}`)),
      row(t('certificates'), list(m.certificates, (c) => `${en ? c.name_en : c.name}${c.valid ? '' : ` (${t('expired')})`}`))),
    h('div', { class: 'card' },
      h('h2', {}, t('prefs')),
      row(t('kinds_wanted'), (p.job_kinds_wanted || []).length ? p.job_kinds_wanted.map(kindName).join('、') : t('any_kind'), 'me-kinds'),
      row(t('wage_floor'), `${p.wage_floor} ${periodName('month')}`, 'me-wage'),
      row(t('max_commute'), `${p.max_commute_km} ${t('km_unit')}`, 'me-commute'),
      row(t('outside_county'), yn(p.willing_outside_county)),
      row(t('outside_province'), yn(p.willing_outside_province), 'me-province'),
      row(t('needs_accommodation'), yn(p.needs_accommodation)),
      row(t('quiet'), p.quiet_from ? t('quiet_range', [p.quiet_from, p.quiet_to]) : t('quiet_none'), 'me-quiet'),
      button(t('prefs_edit'), 'forward', editPrefs, 'primary', { action: 'edit-prefs' })),
    h('div', { class: 'card desk', data: { desk: '' } },
      h('h2', { 'data-speak': '' }, icon('desk'), h('span', {}, t('change_info'))),
      h('p', { 'data-speak': '' }, t('change_where', en ? desk.name_en : desk.name))));
}

/* ---------- my wishes: the seeker changes them here ---------- */

async function loadPrefs() {
  const mine = state; // a sign-out meanwhile starts a fresh state: leave it alone
  try {
    const me = await api.call('GET', '/v1/kiosk/me', { retry: false });
    if (mine !== state) return;
    state.prefs = me.preferences || null;
    if (state.screen === 'jobs' && !state.loading) render();
  } catch {
    // the reasons then keep the matching core's own words
  }
}

const COMMUTES = [5, 10, 20, 50, 100];
const QUIET_HOURS = ['', '18:00', '19:00', '20:00', '21:00', '22:00', '06:00', '07:00', '08:00', '09:00'];

function editPrefs() {
  const p = (state.me && state.me.preferences) || {};
  state.prefsDraft = {
    job_kinds_wanted: [...(p.job_kinds_wanted || [])],
    wage_floor: Number(p.wage_floor) || 0,
    max_commute_km: Number(p.max_commute_km) || 20,
    willing_outside_province: Boolean(p.willing_outside_province),
    quiet_from: p.quiet_from || null,
    quiet_to: p.quiet_to || null,
  };
  show('prefs');
}

function screenPrefs() {
  const d = state.prefsDraft;
  const redraw = () => render();
  const chip = (active, label, onclick, data) => h('button', {
    type: 'button', class: `chip${active ? ' active' : ''}`, onclick, data, 'aria-pressed': active ? 'true' : 'false',
  }, h('span', {}, label));
  const toggleKind = (k) => {
    d.job_kinds_wanted = d.job_kinds_wanted.includes(k) ? d.job_kinds_wanted.filter((x) => x !== k) : [...d.job_kinds_wanted, k];
    redraw();
  };
  const wage = (delta) => { d.wage_floor = Math.max(0, Math.min(100000, d.wage_floor + delta)); redraw(); };
  const quietSel = (name, value) => h('select', {
    class: 'quiet-select', data: { quiet: name }, 'aria-label': t(name === 'from' ? 'quiet_from' : 'quiet_to'),
    onchange: (e) => {
      d[`quiet_${name}`] = e.target.value || null;
      if (!e.target.value) { d.quiet_from = null; d.quiet_to = null; }
      redraw();
    },
  }, QUIET_HOURS.map((q) => h('option', { value: q, selected: (value || '') === q }, q || t('quiet_none'))));
  return h('div', { class: 'card prefs' },
    h('h1', { 'data-speak': '' }, t('prefs_title')),
    h('h2', { 'data-speak': '' }, t('kinds_wanted')),
    h('div', { class: 'chips', data: { pref: 'kinds' } }, KINDS.map((k) => chip(d.job_kinds_wanted.includes(k), kindName(k), () => toggleKind(k), { kind: k }))),
    h('h2', { 'data-speak': '' }, t('wage_floor')),
    h('div', { class: 'row wage-floor' },
      button(t('less'), null, () => wage(-100), 'secondary', { action: 'wage-less' }),
      h('span', { class: 'wage-figure', data: { pref: 'wage' }, 'data-speak': '' }, `${d.wage_floor} ${periodName('month')}`),
      button(t('more'), null, () => wage(100), 'secondary', { action: 'wage-more' })),
    h('h2', { 'data-speak': '' }, t('max_commute')),
    h('div', { class: 'chips', data: { pref: 'commute' } }, [...new Set([...COMMUTES, d.max_commute_km])].sort((x, y) => x - y).map((km) => chip(d.max_commute_km === km, t('km', km), () => { d.max_commute_km = km; redraw(); }, { km }))),
    h('h2', { 'data-speak': '' }, t('outside_province')),
    h('div', { class: 'chips', data: { pref: 'province' } },
      chip(d.willing_outside_province, t('yes'), () => { d.willing_outside_province = true; redraw(); }, { yes: '1' }),
      chip(!d.willing_outside_province, t('no'), () => { d.willing_outside_province = false; redraw(); }, { yes: '0' })),
    h('h2', { 'data-speak': '' }, t('quiet')),
    h('div', { class: 'row quiet' }, h('span', {}, t('quiet_from')), quietSel('from', d.quiet_from),
      h('span', {}, t('quiet_to')), quietSel('to', d.quiet_to)),
    h('div', { class: 'row' },
      button(t('cancel'), 'back', showMe, 'secondary big', { action: 'prefs-cancel' }),
      button(t('save'), 'check', savePrefs, 'primary big', { action: 'prefs-save' })));
}

async function savePrefs() {
  if (state.busy) return;
  const d = state.prefsDraft;
  const body = { ...d };
  if (!body.quiet_from || !body.quiet_to) { body.quiet_from = null; body.quiet_to = null; }
  state.busy = true;
  try {
    state.me = await api.call('PATCH', '/v1/kiosk/me/preferences', { body, ifMatch: `"${state.me.version}"` });
    state.prefs = state.me.preferences;
    state.jobs = null;
    show('me');
    setMessage('prefs_saved', 'ok');
    render();
  } catch (e) {
    if (e instanceof api.Cancelled) return;
    setMessage('trouble', 'bad');
    render();
  } finally {
    state.busy = false;
  }
}

/* ---------- language and reading aloud ---------- */

function switchLanguage() {
  setLang(getLang() === 'zh' ? 'en' : 'zh');
  if (state.screen === 'jobs' && api.hasSession()) { showJobs(true); return; }
  if (state.screen === 'job' && state.job) { showJob(state.job.vacancy.id); return; }
  render();
}

function speakScreen() {
  const synth = window.speechSynthesis;
  if (!synth) return;
  synth.cancel();
  const parts = [...$('app').querySelectorAll('[data-speak]')].map((el) => el.textContent.trim()).filter(Boolean);
  const text = (parts.length ? parts.join('。 ') : $('app').textContent).slice(0, 1500);
  const u = new SpeechSynthesisUtterance(text);
  u.lang = getLang() === 'en' ? 'en-US' : 'zh-CN';
  u.rate = 0.9;
  synth.speak(u);
}

/* ---------- idle time and the end of a session ---------- */

function armIdle() {
  clearTimeout(idleTimer);
  idleTimer = setTimeout(onIdle, cfg.idle * 1000);
}

// Signed in: the countdown.  Not signed in: whatever the last person typed
// or was told is cleared for the next one.
function onIdle() {
  if (api.hasSession()) startCountdown();
  else if (state.idBuf || state.pinBuf || state.message) forgetAll(null);
}

function startCountdown() {
  countdownLeft = cfg.countdown;
  const box = $('countdown');
  box.replaceChildren(h('div', { class: 'countdown-box' },
    icon('clock', 'big-icon'),
    h('h1', {}, t('idle_title')),
    h('div', { class: 'countdown-num', 'aria-live': 'assertive' }),
    h('p', { class: 'countdown-text' }),
    button(t('idle_continue'), 'check', null, 'primary big', { action: 'continue' })));
  box.hidden = false;
  paintCountdown();
  clearInterval(countdownTimer);
  countdownTimer = setInterval(() => {
    countdownLeft -= 1;
    if (countdownLeft <= 0) endSession('logged_out');
    else paintCountdown();
  }, 1000);
}

function paintCountdown() {
  const box = $('countdown');
  box.querySelector('.countdown-num').textContent = String(countdownLeft);
  box.querySelector('.countdown-text').textContent = t('idle_text', countdownLeft);
}

function stopCountdown() {
  clearInterval(countdownTimer);
  countdownTimer = null;
  $('countdown').hidden = true;
  $('countdown').replaceChildren();
  armIdle();
}

// A touch anywhere keeps the session; while the countdown shows, it covers
// the page and a tap on it (handled by its click) ends the countdown, so the
// tap cannot fall through to what lies beneath.
function onActivity() {
  if (!countdownTimer) armIdle();
}

// While the page is in use its session must not lapse on the server between
// requests; the page's own idle countdown decides when it ends.
function startKeepalive() {
  clearInterval(keepaliveTimer);
  keepaliveTimer = setInterval(() => {
    if (api.hasSession() && api.secondsSinceRequest() >= KEEPALIVE_S) {
      api.call('GET', '/v1/kiosk/me', { retry: false }).catch(() => {});
    }
  }, 5000);
}

// Ends the session and forgets everything: token, state, DOM, timers.
function endSession(messageKey) {
  api.logout();
  forgetAll(messageKey);
}

function forgetAll(messageKey) {
  clearTimeout(idleTimer);
  clearInterval(countdownTimer);
  clearInterval(keepaliveTimer);
  idleTimer = countdownTimer = keepaliveTimer = null;
  if (window.speechSynthesis) window.speechSynthesis.cancel();
  try {
    window.localStorage.clear();
    window.sessionStorage.clear();
  } catch {
    // storage may be unavailable: nothing was put there anyway
  }
  window.history.replaceState(null, '', window.location.href);
  $('countdown').hidden = true;
  $('countdown').replaceChildren();
  showBanner(false);
  $('app').replaceChildren();
  state = freshState();
  setLang(cfg.lang);
  setLargeText(cfg.large);
  setMessage(messageKey, 'info');
  window.scrollTo(0, 0);
  render();
  armIdle();
}

/* ---------- start ---------- */

api.setHandlers({
  retrying: () => showBanner(true),
  recovered: () => showBanner(false),
  sessionOver: () => forgetAll('session_over'),
});

for (const ev of ['pointerdown', 'keydown', 'touchstart', 'wheel']) {
  window.addEventListener(ev, onActivity, { passive: true, capture: true });
}
window.addEventListener('keydown', (e) => {
  const onId = state.screen === 'login_id';
  if (!onId && state.screen !== 'login_pin') return;
  const k = keyFromEvent(e, onId);
  if (k) { e.preventDefault(); (onId ? idKey : pinKey)(k); }
});
window.addEventListener('pagehide', () => api.logout());
$('countdown').addEventListener('click', () => { if (countdownTimer) stopCountdown(); });
document.addEventListener('contextmenu', (e) => e.preventDefault());

setLang(cfg.lang);
setLargeText(cfg.large);
render();
loadIcons($('icons'));
