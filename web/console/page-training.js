// Training (专项技能培训): the courses with their seats, posting one, one
// course with its enrolments (enrol a worker, attendance, result,
// withdraw), and the skills missing among a site's or county's seekers as
// the basis of a training plan.
import * as api from './api.js';
import * as ref from './refdata.js';
import { getLang } from './i18n.js';
import {
  h, clear, table, pagedTable, field, input, numberInput, dateInput, select, section, facts, badge, link,
  str, int, toast, formDialog, today, showError,
} from './ui.js';

const W = {
  title: ['技能培训', 'Training'],
  new_course: ['发布课程', 'Post a course'],
  course: ['课程', 'Course'],
  provider: ['培训机构', 'Provider'],
  teaches: ['所教技能或证书', 'Teaches'],
  skill: ['技能', 'Skill'],
  level: ['等级', 'Level'],
  certificate: ['证书', 'Certificate'],
  county: ['县', 'County'],
  site: ['安置点', 'Site'],
  place: ['地点', 'Place'],
  dates: ['日期', 'Dates'],
  starts_on: ['开课', 'Starts'],
  ends_on: ['结课', 'Ends'],
  hours: ['学时', 'Hours'],
  seats: ['名额', 'Seats'],
  waitlist_max: ['候补名额', 'Waiting-list places'],
  cost: ['费用（元）', 'Cost (CNY)'],
  subsidy: ['补贴（元/人）', 'Subsidy (CNY per person)'],
  language: ['授课语言', 'Language'],
  taken: ['已报/名额', 'Taken / seats'],
  waiting: ['候补', 'Waiting'],
  enrolments: ['学员', 'Enrolments'],
  enrol: ['报名学员', 'Enrol a worker'],
  worker_id: ['劳动力编号', 'Worker id'],
  worker: ['劳动力', 'Worker'],
  status: ['状态', 'Status'],
  attended: ['出勤学时', 'Hours attended'],
  result: ['结业结果', 'Result'],
  subsidy_claim: ['补贴', 'Subsidy'],
  attendance: ['记出勤', 'Attendance'],
  day: ['日期', 'Day'],
  record_result: ['登记结果', 'Record result'],
  withdraw: ['退出', 'Withdraw'],
  gaps: ['技能缺口（培训计划依据）', 'Skill gaps (for a training plan)'],
  gaps_hint: ['在招岗位必需、求职者缺少的技能，按岗位缺口排序', 'Skills open vacancies require and seekers lack, by the posts they leave unfilled'],
  vacancies: ['岗位数', 'Vacancies'],
  posts_unfilled: ['未招满人数', 'Posts unfilled'],
  seekers: ['求职者', 'Seekers'],
  holding: ['已具备', 'Holding it'],
  gap: ['缺口', 'Gap'],
  upcoming: ['待开课程', 'Upcoming courses'],
  show: ['查看', 'Show'],
  saved: ['已保存', 'Saved'],
  enrolled_ok: ['已报名', 'Enrolled'],
  waitlisted_ok: ['名额已满，已进入候补', 'Seats taken: on the waiting list'],
  proven_note: ['合格后技能和证书写入档案，标为“培训合格”，并生成补贴记录', 'A pass writes the skill and certificate into the profile, marked as proven, and makes the subsidy record'],
  all: ['全部', 'All'],
  mandarin: ['普通话', 'Mandarin'],
  minority: ['民族语言', 'Minority language'],
  st_enrolled: ['在读', 'Enrolled'],
  st_waitlisted: ['候补', 'Waiting list'],
  st_withdrawn: ['已退出', 'Withdrawn'],
  st_completed: ['已结业', 'Completed'],
  r_passed: ['合格', 'Passed'],
  r_failed: ['不合格', 'Failed'],
  r_dropped_out: ['中途退出', 'Dropped out'],
};
const w = (k) => (W[k] ? W[k][getLang() === 'en' ? 1 : 0] : k);
const LEVELS = [[1, '1 初级工'], [2, '2 中级工'], [3, '3 高级工'], [4, '4 技师'], [5, '5 高级技师']];
const LANG_NAMES = {
  ii: ['彝语', 'Yi'], hni: ['哈尼语', 'Hani'], bca: ['白语', 'Bai'], tdd: ['傣语（德宏）', 'Dai (Dehong)'], khb: ['傣语（西双版纳）', 'Dai (Xishuangbanna)'],
  za: ['壮语', 'Zhuang'], hmn: ['苗语', 'Miao'], lis: ['傈僳语', 'Lisu'], lhu: ['拉祜语', 'Lahu'], prk: ['佤语', 'Wa'], nxq: ['纳西语', 'Naxi'],
  ium: ['瑶语', 'Yao'], bo: ['藏语', 'Tibetan'], kac: ['景颇语', 'Jingpo'], blr: ['布朗语', 'Blang'], pmi: ['普米语', 'Pumi'], nuf: ['怒语', 'Nu'],
  acn: ['阿昌语', 'Achang'], jiu: ['基诺语', 'Jino'],
};
const langName = (l) => (l === 'zh' ? w('mandarin') : (LANG_NAMES[l] ? LANG_NAMES[l][getLang() === 'en' ? 1 : 0] : `${w('minority')} (${l})`));
const LANGS = ['zh', 'ii', 'hni', 'bca', 'tdd', 'khb', 'za', 'hmn', 'lis', 'lhu', 'prk', 'nxq', 'ium', 'bo', 'kac', 'blr', 'pmi', 'nuf', 'acn', 'jiu'];

function teaches(c) {
  const en = getLang() === 'en';
  const skill = c.skill_id ? `${en ? c.skill_name_en : c.skill_name} · ${c.skill_level}` : null;
  const cert = c.certificate_type_id ? (en ? c.certificate_name_en : c.certificate_name) : null;
  return [skill, cert].filter(Boolean).join(' + ');
}

function options(items) {
  return items.map((x) => [x.id ?? x.code, ref.nameOf(x)]);
}

async function newCourse(ctx) {
  const [skills, certs, counties] = await Promise.all([ref.skills(), ref.certificateTypes(), ref.siteCounties().catch(() => [])]);
  return formDialog(w('new_course'), () => h('div', { class: 'grid-form', id: 'course-form' },
    field(w('course'), input('title', '', { maxlength: 100, required: true })),
    field(w('provider'), input('provider', '', { maxlength: 100, required: true })),
    field(w('skill'), select('skill_id', options(skills), '', { empty: '—' })),
    field(w('level'), select('skill_level', LEVELS, '', { empty: '—' })),
    field(w('certificate'), select('certificate_type_id', options(certs), '', { empty: '—' })),
    field(w('county'), select('county_code', counties, '', { attrs: { required: true } })),
    field(w('place'), input('place', '', { maxlength: 200 })),
    field(w('starts_on'), dateInput('starts_on', today(14), { required: true })),
    field(w('ends_on'), dateInput('ends_on', today(28), { required: true })),
    field(w('hours'), numberInput('hours', 80, { min: 1, max: 2000, required: true })),
    field(w('seats'), numberInput('seats', 30, { min: 1, max: 500, required: true })),
    field(w('waitlist_max'), numberInput('waitlist_max', 10, { min: 0, max: 500 })),
    field(w('cost'), numberInput('cost_cny', 0, { min: 0, max: 100000 })),
    field(w('subsidy'), numberInput('subsidy_cny', 0, { min: 0, max: 100000 })),
    field(w('language'), select('language', LANGS.map((l) => [l, langName(l)]), 'zh'))),
  async (form) => {
    const fd = new FormData(form);
    const body = {
      title: str(fd, 'title'), provider: str(fd, 'provider'), county_code: int(fd, 'county_code'),
      place: str(fd, 'place'), starts_on: str(fd, 'starts_on'), ends_on: str(fd, 'ends_on'),
      hours: int(fd, 'hours'), seats: int(fd, 'seats'), waitlist_max: int(fd, 'waitlist_max') ?? 0,
      cost_cny: int(fd, 'cost_cny') ?? 0, subsidy_cny: int(fd, 'subsidy_cny') ?? 0, language: str(fd, 'language'),
    };
    for (const k of ['skill_id', 'skill_level', 'certificate_type_id']) if (int(fd, k) !== null) body[k] = int(fd, k);
    const c = await api.post('/v1/courses', body, { idempotencyKey: api.newKey() });
    toast(w('saved'));
    ctx.go(`#/training/${c.id}`);
    return c;
  });
}

async function gapsPanel(ctx) {
  const sites = await ref.sites().catch(() => []);
  const slot = h('div', { id: 'training-gaps' });
  const errSlot = h('div');
  const form = h('form', { class: 'filters', id: 'gap-filters' },
    field(w('site'), select('site_id', sites.map((s) => [s.id, s.name]), ctx.query.site_id, { empty: w('all') })),
    h('div', { class: 'buttons' }, h('button', { type: 'submit' }, w('show'))));
  async function load(siteId) {
    try {
      const g = await api.get('/v1/training/gaps', siteId ? { site_id: siteId } : {});
      const en = getLang() === 'en';
      clear(slot, table([
        { label: w('skill'), value: (x) => `${en ? x.skill_name_en : x.skill_name} · ${x.level}` },
        { label: w('vacancies'), value: (x) => x.vacancies, num: true },
        { label: w('posts_unfilled'), value: (x) => x.posts_unfilled, num: true },
        { label: w('seekers'), value: (x) => x.seekers, num: true },
        { label: w('holding'), value: (x) => x.seekers_holding, num: true },
        { label: w('gap'), value: (x) => badge(String(x.gap), x.gap > 0 ? 'bad' : 'ok'), num: true },
        { label: w('upcoming'), value: (x) => x.courses_upcoming, num: true },
      ], g.items || []));
      showError(errSlot, null);
    } catch (e) {
      showError(errSlot, e);
    }
  }
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    load(str(new FormData(form), 'site_id'));
  });
  load(ctx.query.site_id);
  return section(w('gaps'), h('p', { class: 'muted' }, w('gaps_hint')), form, errSlot, slot);
}

export async function list(ctx) {
  const writable = ctx.can('training:write');
  const add = writable ? h('button', { type: 'button', id: 'new-course' }, w('new_course')) : null;
  if (add) add.addEventListener('click', () => newCourse(ctx));
  const cols = [
    { label: w('course'), value: (c) => link(`#/training/${c.id}`, c.title) },
    { label: w('teaches'), value: teaches },
    { label: w('provider'), value: (c) => c.provider },
    { label: w('dates'), value: (c) => `${c.starts_on} – ${c.ends_on}` },
    { label: w('taken'), value: (c) => `${c.enrolled} / ${c.seats}`, num: true },
    { label: w('waiting'), value: (c) => c.waitlisted, num: true },
    { label: w('language'), value: (c) => langName(c.language) },
  ];
  const courses = pagedTable(cols, (cursor) => api.get('/v1/courses', { limit: 50, cursor }));
  clear(ctx.root, h('h1', null, w('title')), h('div', { class: 'toolbar' }, add),
    h('div', { id: 'course-list' }, courses), await gapsPanel(ctx));
}

function resultDialog(course, e) {
  return formDialog(`${w('record_result')} · ${e.worker_name || e.worker_id}`, () => h('div', { class: 'grid-form', id: 'result-form' },
    field(w('result'), select('result', [['passed', w('r_passed')], ['failed', w('r_failed')], ['dropped_out', w('r_dropped_out')]], 'passed')),
    field(w('day'), dateInput('result_on', today(), { max: today(), min: course.starts_on })),
    h('p', { class: 'muted wide' }, w('proven_note'))),
  async (form) => {
    const fd = new FormData(form);
    return api.post(`/v1/courses/${course.id}/results`, { worker_id: e.worker_id, result: str(fd, 'result'), result_on: str(fd, 'result_on') });
  });
}

function attendanceDialog(course, e) {
  return formDialog(`${w('attendance')} · ${e.worker_name || e.worker_id}`, () => h('div', { class: 'grid-form', id: 'attendance-form' },
    field(w('day'), dateInput('day', today() < course.ends_on ? today() : course.ends_on, { min: course.starts_on, max: today() })),
    field(w('hours'), numberInput('hours', 8, { min: 0.5, max: 24, step: 0.5 }))),
  async (form) => {
    const fd = new FormData(form);
    return api.post(`/v1/enrolments/${e.id}/attendance`, { day: str(fd, 'day'), hours: Number(str(fd, 'hours')) });
  });
}

export async function detail(ctx) {
  const id = ctx.params.id;
  const course = await api.get(`/v1/courses/${id}`);
  const writable = ctx.can('training:write');
  const errSlot = h('div');
  const redraw = () => detail(ctx);
  const act = (label, fn, cls) => {
    const b = h('button', { type: 'button', class: `small ${cls || ''}` }, label);
    b.addEventListener('click', async () => {
      try {
        if (await fn()) redraw();
      } catch (err) {
        showError(errSlot, err);
      }
    });
    return b;
  };
  const cols = [
    { label: w('worker'), value: (e) => link(`#/workers/${e.worker_id}`, e.worker_name || `#${e.worker_id}`) },
    { label: w('status'), value: (e) => badge(`${w(`st_${e.status}`)}${e.waitlist_position ? ` ${e.waitlist_position}` : ''}`, e.status === 'completed' ? 'ok' : '') },
    { label: w('attended'), value: (e) => e.hours_attended, num: true },
    { label: w('result'), value: (e) => (e.result ? w(`r_${e.result}`) : '') },
    { label: w('subsidy_claim'), value: (e) => (e.subsidy_cny === null || e.subsidy_cny === undefined ? '' : e.subsidy_cny), num: true },
  ];
  if (writable) {
    cols.push({ label: '', value: (e) => h('span', { class: 'actions', dataset: { enrolment: e.id } },
      e.status === 'enrolled' && course.started ? act(w('attendance'), () => attendanceDialog(course, e)) : null,
      e.status === 'enrolled' && course.started ? act(w('record_result'), () => resultDialog(course, e)) : null,
      ['enrolled', 'waitlisted'].includes(e.status) ? act(w('withdraw'), () => api.post(`/v1/enrolments/${e.id}/withdraw`, {}), 'secondary') : null) });
  }
  const enrolForm = writable && !course.started ? h('form', { class: 'filters', id: 'enrol-form' },
    field(w('worker_id'), numberInput('worker_id', '', { min: 1, required: true })),
    h('div', { class: 'buttons' }, h('button', { type: 'submit' }, w('enrol')))) : null;
  if (enrolForm) {
    enrolForm.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      try {
        const e = await api.post('/v1/enrolments', { course_id: course.id, worker_id: int(new FormData(enrolForm), 'worker_id') },
          { idempotencyKey: api.newKey() });
        toast(e.status === 'waitlisted' ? w('waitlisted_ok') : w('enrolled_ok'));
        redraw();
      } catch (err) {
        showError(errSlot, err);
      }
    });
  }
  const rows = await api.get('/v1/enrolments', { course_id: course.id, limit: 200 });
  clear(ctx.root,
    h('h1', null, course.title),
    section(w('course'), facts([
      [w('teaches'), teaches(course)], [w('provider'), course.provider],
      [w('place'), [course.county_name, course.place].filter(Boolean).join(' · ')], [w('dates'), `${course.starts_on} – ${course.ends_on}`],
      [w('hours'), course.hours], [w('taken'), `${course.enrolled} / ${course.seats}`], [w('waiting'), `${course.waitlisted} / ${course.waitlist_max}`],
      [w('cost'), course.cost_cny], [w('subsidy'), course.subsidy_cny],
      [w('language'), langName(course.language)]])),
    section(w('enrolments'), errSlot, enrolForm, h('div', { id: 'enrolments' }, table(cols, rows.items || []))));
}
