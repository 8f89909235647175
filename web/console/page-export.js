// Labour export trips (劳务输出): the list, one trip with its roster (fill it
// with the allocation engine, check people in, confirm arrivals), the
// printable roster, and the panel of workers out of province.
import * as api from './api.js';
import { getLang } from './i18n.js';
import {
  h, clear, table, section, facts, badge, link, toast, showError, fmtInt, formDialog, field, input, numberInput,
  dateInput, select, textarea, str, int, today, sleep,
} from './ui.js';

// This page's words, Chinese first
const W = {
  trips_title: ['劳务输出批次', 'Labour export trips'],
  trip: ['批次', 'Trip'],
  departure: ['出发', 'Departure'],
  destination: ['目的地', 'Destination'],
  employer: ['用工单位', 'Employer'],
  transport: ['交通', 'Transport'],
  seats: ['座位', 'Seats'],
  headcount: ['计划人数', 'Headcount'],
  escort: ['带队', 'Escort'],
  signups: ['报名', 'Sign-ups'],
  status: ['状态', 'Status'],
  roster: ['出行名单', 'Roster'],
  worker: ['姓名', 'Name'],
  site: ['安置点', 'Site'],
  post: ['岗位', 'Post'],
  priority: ['优先', 'Priority'],
  source: ['报名方式', 'Signed up by'],
  actions: ['操作', 'Actions'],
  fill: ['按优先规则排定名单', 'Fill the roster by the priority rules'],
  filled: ['名单已排定', 'Roster filled'],
  fill_failed: ['排定名单失败', 'The roster could not be filled'],
  fill_slow: ['名单仍在排定中，请稍后刷新', 'The roster is still being filled: look again in a moment'],
  check_in: ['登车', 'Check in'],
  checked_in: ['已登车', 'Checked in'],
  print: ['打印名单（A4）', 'Print the roster (A4)'],
  print_public: ['打印公示名单（姓名部分隐去）', 'Print for posting (names partly hidden)'],
  none: ['暂无', 'None'],
  edit: ['修改批次', 'Change the trip'],
  edited: ['批次已修改，已通知报名人员', 'Trip changed; the people signed up are told'],
  cancel_trip: ['取消批次', 'Cancel the trip'],
  cancel_reason: ['取消原因（会告诉报名人员）', 'Reason (told to the people signed up)'],
  cancelled: ['批次已取消，已通知报名人员', 'Trip cancelled; the people signed up are told'],
  cancel_reason_label: ['取消原因', 'Why cancelled'],
  departure_on: ['出发日期', 'Departure day'],
  departure_place: ['出发地点', 'Departure place'],
  panel_title: ['省外务工人员', 'Workers out of province'],
  working: ['在岗', 'Working'],
  missed: ['回访逾期', 'Follow-up overdue'],
  returned_n: ['返乡', 'Returned'],
  at_risk: ['需关注', 'At risk'],
  zero_employment: ['零就业家庭', 'Zero-employment household'],
  monitored: ['监测户', 'Monitored household'],
  why_outscored: ['名额已满，按优先规则候补', 'Places taken by higher priority'],
  why_no_eligible_post: ['不符合岗位条件', 'Not eligible for the posts'],
  why_household_rule: ['户内限一人', 'One per household'],
};
const STATES = {
  signed_up: ['已报名', 'Signed up'], selected: ['已入选', 'Selected'], waitlisted: ['候补', 'Waiting list'],
  departed: ['已出发', 'Departed'], arrived: ['已到岗', 'Arrived'], returned: ['已返乡', 'Returned home'],
  open: ['报名中', 'Open'], closed: ['已截止', 'Closed'], cancelled: ['已取消', 'Cancelled'],
  chartered_bus: ['包车', 'Chartered bus'], special_train: ['专列', 'Special train'], train: ['火车', 'Train'],
  flight: ['飞机', 'Flight'], other: ['其他', 'Other'], staff: ['工作人员', 'Staff'], broker: ['劳务经纪人', 'Broker'],
  kiosk: ['自助机', 'Kiosk'],
};
const w = (k) => (W[k] || [k, k])[getLang() === 'en' ? 1 : 0];
const st = (k) => (STATES[k] || [k, k])[getLang() === 'en' ? 1 : 0];
const stateKind = { selected: 'ok', departed: 'ok', arrived: 'ok', returned: 'bad', waitlisted: '' };

export async function list(ctx) {
  const [trips, panel] = await Promise.all([
    api.get('/v1/export-trips', { sort: 'departure_on', limit: 100 }),
    api.get('/v1/reports/out-of-province').catch(() => null),
  ]);
  const cols = [
    { label: w('trip'), value: (x) => link(`#/trips/${x.id}`, x.title) },
    { label: w('departure'), value: (x) => `${x.departure_on} ${x.departure_place}` },
    { label: w('destination'), value: (x) => `${x.dest_province_name || ''}${x.dest_city || ''} · ${x.employer_name || ''}` },
    { label: w('headcount'), num: true, value: (x) => `${x.headcount} / ${x.seats}` },
    { label: w('signups'), num: true, value: (x) => fmtInt(x.signups) },
    { label: w('status'), value: (x) => badge(st(x.status), x.status === 'open' ? 'ok' : '') },
  ];
  clear(ctx.root, h('h1', null, w('trips_title')), table(cols, trips.items, { empty: w('none') }),
    panel ? panelView(panel) : null);
  ctx.root.dataset.loaded = 'trips';
}

// The dashboard panel: by destination province and employer, at risk first
export function panelView(p) {
  const cols = [
    { label: w('destination'), value: (g) => g.dest_province_name || String(g.dest_province_code) },
    { label: w('employer'), value: (g) => g.employer_name || '' },
    { label: w('working'), num: true, value: (g) => fmtInt(g.working) },
    { label: w('missed'), num: true, value: (g) => (g.missed_followup ? badge(fmtInt(g.missed_followup), 'bad') : '0') },
    { label: w('returned_n'), num: true, value: (g) => (g.returned ? badge(fmtInt(g.returned), 'bad') : '0') },
    { label: w('at_risk'), value: (g) => g.at_risk.slice(0, 5).map((x, i) => [i ? '、' : '', link(`#/workers/${x.worker_id}`, x.worker_name)]) },
  ];
  return h('div', { id: 'out-of-province' }, section(`${w('panel_title')} · ${w('working')} ${fmtInt(p.working)} · ${w('at_risk')} ${fmtInt(p.at_risk)}`,
    table(cols, p.groups, { empty: w('none') })));
}

// The solver thread fills the roster: the trip's answer shows the run's
// state, looked at again until it is done or failed (a minute at most).
async function fillDone(id, runId) {
  for (let i = 0; i < 120; i += 1) {
    const trip = await api.get(`/v1/export-trips/${id}`);
    if (trip.fill && trip.fill.id === runId && ['done', 'failed'].includes(trip.fill.state)) return trip.fill;
    await sleep(i < 10 ? 200 : 500);
  }
  throw new Error(w('fill_slow'));
}

async function printRoster(id, pub) {
  const f = await api.fetchFile(`/v1/export-trips/${id}/roster`, { public: pub ? 'true' : 'false', lang: getLang() });
  const win = window.open(URL.createObjectURL(f.blob), '_blank');
  if (win) win.addEventListener('load', () => win.print());
}

export async function detail(ctx) {
  const id = ctx.params.id;
  const trip = await api.get(`/v1/export-trips/${id}`);
  const errSlot = h('div');
  const buttons = h('div', { class: 'buttons' });
  if (ctx.can('trips:write') && trip.status === 'open') {
    const fill = h('button', { type: 'button', id: 'trip-fill' }, w('fill'));
    fill.addEventListener('click', async () => {
      fill.disabled = true;
      try {
        const run = await api.post(`/v1/export-trips/${id}/fill`, {});
        const done = await fillDone(id, run.id);
        if (done.state === 'failed') throw new Error(`${w('fill_failed')}: ${done.error}`);
        toast(w('filled'));
        ctx.go(`#/trips/${id}`);
      } catch (e) {
        showError(errSlot, e);
        fill.disabled = false;
      }
    });
    buttons.append(fill);
  }
  if (ctx.can('trips:write') && trip.status === 'open' && trip.departure_on >= today(0)) {
    const edit = h('button', { type: 'button', id: 'trip-edit' }, w('edit'));
    edit.addEventListener('click', () => editTrip(ctx, id));
    const cancel = h('button', { type: 'button', id: 'trip-cancel', class: 'danger' }, w('cancel_trip'));
    cancel.addEventListener('click', () => cancelTrip(ctx, id));
    buttons.append(edit, cancel);
  }
  const pr = h('button', { type: 'button', id: 'trip-print' }, w('print'));
  pr.addEventListener('click', () => printRoster(id, false).catch((e) => showError(errSlot, e)));
  const pp = h('button', { type: 'button', id: 'trip-print-public' }, w('print_public'));
  pp.addEventListener('click', () => printRoster(id, true).catch((e) => showError(errSlot, e)));
  buttons.append(pr, pp);
  const manage = ctx.can('trips:manage');
  const cols = [
    { label: w('worker'), value: (s) => link(`#/workers/${s.worker_id}`, s.worker_name) },
    { label: w('site'), value: (s) => s.site_name || '' },
    { label: w('priority'), value: (s) => [s.household_zero_employment ? badge(w('zero_employment'), 'bad') : null,
      s.household_monitored ? badge(w('monitored')) : null] },
    { label: w('source'), value: (s) => st(s.source) },
    { label: w('post'), value: (s) => s.vacancy_title || '' },
    { label: w('status'), value: (s) => [badge(st(s.state), stateKind[s.state] || ''), s.why ? ` ${w(`why_${s.why}`)}` : ''] },
  ];
  if (manage) {
    cols.push({ label: w('actions'), value: (s) => {
      if (!['selected', 'waitlisted', 'signed_up'].includes(s.state) || trip.departure_on > today()) return '';
      const b = h('button', { type: 'button', class: 'small', dataset: { signup: s.id } }, w('check_in'));
      b.addEventListener('click', async () => {
        try {
          await api.post(`/v1/export-trips/${id}/signups/${s.id}/check-in`, {});
          b.replaceWith(w('checked_in'));
        } catch (e) {
          showError(errSlot, e);
        }
      });
      return b;
    } });
  }
  clear(ctx.root, h('h1', null, trip.title),
    facts([
      [w('departure'), `${trip.departure_on} ${trip.departure_place}`],
      [w('destination'), `${trip.dest_province_name || ''}${trip.dest_city || ''}`],
      [w('employer'), trip.employer_name],
      [w('transport'), st(trip.transport)],
      [w('seats'), String(trip.seats)],
      [w('headcount'), String(trip.headcount)],
      [w('escort'), trip.escort],
      [w('status'), st(trip.status)],
      trip.status === 'cancelled' ? [w('cancel_reason_label'), trip.cancel_reason] : null,
    ]),
    buttons, errSlot,
    h('div', { id: 'trip-roster' }, section(`${w('roster')} · ${Object.entries(trip.counts).filter(([, n]) => n).map(([k, n]) => `${st(k)} ${n}`).join(' · ')}`,
      table(cols, trip.roster, { empty: w('none'), rowClass: (s) => `state-${s.state}` }))));
  ctx.root.dataset.loaded = 'trip';
}

const TRANSPORTS = ['chartered_bus', 'special_train', 'train', 'flight', 'other'];

// The trip's day, place, transport, seats, escort and headcount, changed
// with If-Match on the version just read.
async function editTrip(ctx, id) {
  const rec = await api.getRecord(`/v1/export-trips/${id}`);
  const t = rec.data;
  const done = await formDialog(w('edit'), () => h('div', { class: 'grid-form', id: 'trip-form' },
    field(w('departure_on'), dateInput('departure_on', t.departure_on, { required: true, min: today(0) })),
    field(w('departure_place'), input('departure_place', t.departure_place, { maxlength: 200, required: true })),
    field(w('transport'), select('transport', TRANSPORTS.map((k) => [k, st(k)]), t.transport)),
    field(w('seats'), numberInput('seats', t.seats, { min: 1, max: 2000, required: true })),
    field(w('headcount'), numberInput('headcount', t.headcount, { min: 1, max: 2000, required: true })),
    field(w('escort'), input('escort', t.escort, { maxlength: 100 }))),
  async (form) => {
    const fd = new FormData(form);
    const body = {
      departure_on: str(fd, 'departure_on'), departure_place: str(fd, 'departure_place'), transport: str(fd, 'transport'),
      seats: int(fd, 'seats'), headcount: int(fd, 'headcount'), escort: str(fd, 'escort'),
    };
    for (const k of Object.keys(body)) if (body[k] === t[k]) delete body[k];
    await api.patch(`/v1/export-trips/${id}`, body, rec.etag);
  });
  if (done) {
    toast(w('edited'));
    ctx.go(`#/trips/${id}`);
  }
}

async function cancelTrip(ctx, id) {
  const done = await formDialog(w('cancel_trip'), () => h('div', { id: 'trip-cancel-form' },
    field(w('cancel_reason'), textarea('reason', '', { maxlength: 500, required: true }))),
  async (form) => {
    await api.post(`/v1/export-trips/${id}/cancel`, { reason: str(new FormData(form), 'reason') });
  });
  if (done) {
    toast(w('cancelled'));
    ctx.go(`#/trips/${id}`);
  }
}
