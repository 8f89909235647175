// A work-relief project's payroll (一卡两账三查): the roster and attendance of
// a month, its pay sheet (compute, approve and post the notice, release),
// the payments with the bank's results, the checks and the labour-
// remuneration share from what was actually paid.
import * as api from './api.js';
import { getLang } from './i18n.js';
import {
  h, clear, table, field, numberInput, dateInput, select, section, facts, link, loading, onSubmit, str, toast,
  fmtMoney, fmtPct, meter, today, badge,
} from './ui.js';

const S = {
  title: ['工资台账', 'Payroll'],
  month: ['月份', 'Month'],
  show: ['查看', 'Show'],
  roster: ['用工考勤台账', 'Roster and attendance'],
  worker: ['劳动力', 'Worker'],
  rate: ['日工资（元）', 'Daily rate (yuan)'],
  days: ['出勤天数', 'Days worked'],
  work_date: ['出勤日期（按日登记时填写）', 'Date (for a single day)'],
  record: ['登记考勤', 'Record attendance'],
  recorded: ['考勤已登记', 'Attendance recorded'],
  sheet: ['劳务报酬发放明细台账', 'Pay sheet'],
  compute: ['按考勤生成工资表', 'Compute the pay sheet'],
  computed: ['工资表已生成', 'Pay sheet computed'],
  approve: ['审核并公示 7 天', 'Approve and post the 7-day notice'],
  approved: ['已审核，公示中', 'Approved; on notice'],
  release: ['公示期满，发放', 'Release for payment'],
  released: ['已发放', 'Released'],
  no_sheet: ['本月尚无工资表', 'No pay sheet for this month yet'],
  status: ['状态', 'Status'],
  draft: ['草稿', 'draft'],
  notice: ['公示中', 'on notice'],
  notice_until: ['公示截止', 'Notice until'],
  computed_amount: ['考勤×日工资', 'Days × rate'],
  adjustment: ['调整', 'Adjustment'],
  amount: ['应发金额', 'Amount'],
  total: ['合计', 'Total'],
  payments: ['发放记录（一卡通）', 'Payments (to the worker\'s own card)'],
  account: ['账号', 'Account'],
  result: ['结果', 'Result'],
  paid: ['成功', 'paid'],
  failed: ['失败', 'failed'],
  paid_on: ['发放日期', 'Paid on'],
  checks: ['三查', 'Checks'],
  amount_mismatch: ['实发与考勤×日工资不符', 'Paid differs from days × rate'],
  late: ['逾期发放', 'Paid late'],
  holder_mismatch: ['账户户名不是本人', 'Account not held by the worker'],
  double_paid: ['同一时间在两个项目领取', 'Paid by two projects for the same days'],
  none: ['无', 'None'],
  share: ['劳务报酬占比（按实发）', 'Labour-remuneration share (actually paid)'],
  floor: ['要求不低于', 'Required at least'],
  met: ['达标', 'met'],
  not_met: ['未达标', 'not met'],
};
function L(k) { return (S[k] || [k, k])[getLang() === 'en' ? 1 : 0]; }

// The month shown: ?month=YYYY-MM, default last month
function monthOf(q) {
  if (/^\d{4}-\d{2}$/.test(q.month || '')) return q.month;
  const d = new Date(`${today()}T00:00:00`);
  d.setDate(1);
  d.setMonth(d.getMonth() - 1);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}`;
}

function attendanceForm(ctx, p, roster, month) {
  const errSlot = h('div');
  const workers = roster.items.map((w) => [String(w.worker_id), w.worker_name]);
  const form = h('form', { class: 'grid-form', id: 'attendance-form' },
    field(L('worker'), select('worker_id', workers, '', { attrs: { required: true } })),
    field(L('days'), numberInput('days', '', { min: 0, max: 31, step: 0.5, required: true })),
    field(L('work_date'), dateInput('work_date', '', { max: today() })),
    h('div', { class: 'buttons' }, h('button', { type: 'submit' }, L('record'))),
    h('div', { class: 'wide' }, errSlot));
  onSubmit(form, errSlot, async (fd) => {
    const body = { worker_id: Number(str(fd, 'worker_id')), days: Number(str(fd, 'days')) };
    if (str(fd, 'work_date')) body.work_date = str(fd, 'work_date');
    else body.month = month;
    await api.post(`/v1/work-relief-projects/${p.id}/attendance`, body);
    toast(L('recorded'));
    ctx.refresh();
  });
  return form;
}

function sheetView(ctx, p, sheet, month) {
  const errSlot = h('div', { id: 'sheet-error' });
  const act = (label, id, path, done) => {
    const b = h('button', { type: 'button', id }, label);
    b.addEventListener('click', async () => {
      try {
        await api.post(path, id === 'sheet-compute' ? { month } : {});
        toast(done);
        ctx.refresh();
      } catch (e) {
        clear(errSlot, h('p', { class: 'error' }, e.message));
      }
    });
    return b;
  };
  const buttons = [];
  if (!sheet || sheet.status === 'draft') buttons.push(act(L('compute'), 'sheet-compute', `/v1/work-relief-projects/${p.id}/pay-sheets`, L('computed')));
  if (sheet && sheet.status === 'draft' && ctx.can('payroll:approve')) buttons.push(act(L('approve'), 'sheet-approve', `/v1/pay-sheets/${sheet.id}/approve`, L('approved')));
  if (sheet && sheet.status === 'notice' && ctx.can('payroll:approve')) buttons.push(act(L('release'), 'sheet-release', `/v1/pay-sheets/${sheet.id}/release`, L('released')));
  if (!sheet) return section(L('sheet'), h('p', { id: 'sheet-status' }, L('no_sheet')), h('div', { class: 'buttons' }, buttons), errSlot);
  return section(L('sheet'),
    facts([
      [L('status'), h('span', { id: 'sheet-status' }, badge(L(sheet.status), sheet.status === 'released' ? 'ok' : ''))],
      [L('notice_until'), sheet.notice_until || '—'],
      [L('total'), h('span', { id: 'sheet-total' }, fmtMoney(sheet.total))],
    ]),
    table([
      { label: L('worker'), value: (l) => l.worker_name },
      { label: L('days'), num: true, value: (l) => String(l.days) },
      { label: L('rate'), num: true, value: (l) => fmtMoney(l.daily_rate) },
      { label: L('computed_amount'), num: true, value: (l) => fmtMoney(l.computed) },
      { label: L('adjustment'), value: (l) => (Number(l.adjustment) ? `${fmtMoney(l.adjustment)}（${l.adjust_reason}）` : '') },
      { label: L('amount'), num: true, value: (l) => fmtMoney(l.amount) },
    ], sheet.lines || []),
    h('div', { class: 'buttons' }, buttons), errSlot);
}

function checkList(key, rows, text) {
  return h('div', { id: `check-${key}` }, h('h3', null, `${L(key)}（${rows.length}）`),
    rows.length ? h('ul', null, rows.map((r) => h('li', null, text(r)))) : h('p', null, L('none')));
}

export async function render(ctx) {
  const { root, params, query } = ctx;
  root.append(loading());
  const month = monthOf(query);
  const [p, roster, sheets, pays, checks] = await Promise.all([
    api.get(`/v1/work-relief-projects/${params.id}`),
    api.get(`/v1/work-relief-projects/${params.id}/roster`, { month }),
    api.get(`/v1/work-relief-projects/${params.id}/pay-sheets`),
    api.get(`/v1/work-relief-projects/${params.id}/payments`),
    api.get(`/v1/work-relief-projects/${params.id}/checks`),
  ]);
  const brief = (sheets.items || []).find((s) => s.month === month);
  const sheet = brief ? await api.get(`/v1/pay-sheets/${brief.id}`) : null;
  const pick = h('form', { class: 'filters', id: 'payroll-month' },
    field(L('month'), h('input', { type: 'month', name: 'month', value: month, max: today().slice(0, 7) })),
    h('div', { class: 'buttons' }, h('button', { type: 'submit' }, L('show'))));
  pick.addEventListener('submit', (e) => {
    e.preventDefault();
    ctx.go(`#/projects/${p.id}/payroll${api.query({ month: str(new FormData(pick), 'month') })}`);
  });
  const rosterTable = h('div', { id: 'roster' }, table([
    { label: L('worker'), value: (w) => w.worker_name },
    { label: L('rate'), num: true, value: (w) => fmtMoney(w.daily_rate) },
    { label: L('days'), num: true, value: (w) => h('span', { class: 'days', dataset: { worker: String(w.worker_id) } }, String(w.days)) },
  ], roster.items || []));
  const sh = checks.share;
  clear(root,
    h('div', { class: 'page-head' }, h('h1', { id: 'payroll-title' }, `${p.name} · ${L('title')}`),
      h('div', { class: 'actions' }, link(`#/projects/${p.id}`, p.name))),
    pick,
    section(L('roster'), rosterTable, ctx.can('payroll:write') && roster.items.length ? attendanceForm(ctx, p, roster, month) : null),
    sheetView(ctx, p, sheet, month),
    section(L('payments'), table([
      { label: L('month'), value: (x) => x.month },
      { label: L('worker'), value: (x) => x.worker_name },
      { label: L('amount'), num: true, value: (x) => fmtMoney(x.amount) },
      { label: L('account'), value: (x) => x.account_masked },
      { label: L('result'), value: (x) => (x.status === 'paid' ? L('paid') : `${L('failed')}：${x.fail_reason}`) },
      { label: L('paid_on'), value: (x) => x.paid_on },
    ], (pays.items || []).slice(0, 100))),
    section(L('checks'), h('div', { id: 'checks' },
      checkList('amount_mismatch', checks.amount_mismatch, (r) => `${r.worker_name} ${r.month}：${fmtMoney(r.paid)} / ${fmtMoney(r.expected)}`),
      checkList('late', checks.late, (r) => `${r.worker_name} ${r.month}：${r.paid_on || '—'}`),
      checkList('holder_mismatch', checks.holder_mismatch, (r) => `${r.worker_name} ${r.month}：${r.account_masked}（${r.holder_name}）`),
      checkList('double_paid', checks.double_paid, (r) => `${r.worker_name} ${r.month}：${r.other_project_name}`))),
    section(L('share'), h('div', { id: 'share' }, facts([
      [L('share'), meter(sh.floor > 0 ? Math.min(sh.share / sh.floor, 1) : 1, `${fmtPct(sh.share)} · ${fmtMoney(sh.paid)} / ${fmtMoney(sh.total_investment)}`)],
      [L('floor'), `${fmtPct(sh.floor, 0)} · ${sh.met ? L('met') : L('not_met')}`],
    ]))));
  root.dataset.loaded = 'payroll';
}
