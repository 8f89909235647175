// Training courses at the kiosk: the courses the job seeker could still
// take, each with the jobs it would open in plain words (the server counts
// them on the matching index: a job counts only when the course closes its
// last missing requirement), enrolling after one confirmation, and their
// own enrolments with a seat or a place on the waiting list.
//
// app.js hands in its frame (state, goTo, show, render, setMessage, navSeq)
// and shows the screens this returns.

import * as api from './api.js';
import { h, icon, button } from './dom.js';
import { getLang, dateText, levelName } from './i18n.js';

const WORDS = {
  zh: {
    nav: '学技能',
    title: '学一门技能，多报一些岗位',
    hint: '下面的课程按能帮你多报的岗位数排序。报名免费或有补贴，合格后技能写进你的档案。',
    none: '现在没有可以报名的课程。',
    mine: '我报名的课程',
    dates: (a, b) => `${a} 至 ${b}`,
    hours: (n) => `${n} 学时`,
    seats: (left) => (left > 0 ? `还剩 ${left} 个名额` : '名额已满，可以候补'),
    cost: (c, s) => (c > s ? `费用 ${c} 元，补贴 ${s} 元` : '免费（全额补贴）'),
    language: { zh: '普通话授课' },
    taught_in: (l) => `${l}授课`,
    langs: {
      ii: '彝语', hni: '哈尼语', bca: '白语', tdd: '傣语', khb: '傣语', za: '壮语', hmn: '苗语', lis: '傈僳语', lhu: '拉祜语',
      prk: '佤语', nxq: '纳西语', ium: '瑶语', bo: '藏语', kac: '景颇语', blr: '布朗语', pmi: '普米语', nuf: '怒语', acn: '阿昌语', jiu: '基诺语',
    },
    minority: '民族语言授课',
    enrol: '报名',
    confirm_title: '确认报名这门课程？',
    confirm_no: '不报了',
    confirm_yes: '确认报名',
    done_enrolled: '报名成功！开课前工作人员会通知你。',
    done_waitlisted: (n) => `名额已满，你在候补名单第 ${n} 位。有人退出时会通知你。`,
    status: { enrolled: '已报名', waitlisted: '候补中', withdrawn: '已退出', completed: '已结业' },
    result: { passed: '合格', failed: '未合格', dropped_out: '中途退出' },
    err: {
      course_full: '这门课的名额和候补都满了。',
      course_started: '这门课已经开课，不能再报名了。',
      already_enrolled: '你已经报名了这门课。',
      not_open: '这门课已取消。',
    },
  },
  en: {
    nav: 'Learn a skill',
    title: 'Learn a skill, apply for more jobs',
    hint: 'The courses are sorted by the jobs they would open for you. They are free or subsidised; a pass goes into your record.',
    none: 'There is no course to enrol in right now.',
    mine: 'My courses',
    dates: (a, b) => `${a} to ${b}`,
    hours: (n) => `${n} hours`,
    seats: (left) => (left > 0 ? `${left} seats left` : 'Full: you can join the waiting list'),
    cost: (c, s) => (c > s ? `Costs ${c} CNY, subsidy ${s} CNY` : 'Free (fully subsidised)'),
    language: { zh: 'Taught in Mandarin' },
    taught_in: (l) => `Taught in ${l}`,
    langs: {
      ii: 'Yi', hni: 'Hani', bca: 'Bai', tdd: 'Dai', khb: 'Dai', za: 'Zhuang', hmn: 'Miao', lis: 'Lisu', lhu: 'Lahu',
      prk: 'Wa', nxq: 'Naxi', ium: 'Yao', bo: 'Tibetan', kac: 'Jingpo', blr: 'Blang', pmi: 'Pumi', nuf: 'Nu', acn: 'Achang', jiu: 'Jino',
    },
    minority: 'Taught in a minority language',
    enrol: 'Enrol',
    confirm_title: 'Enrol in this course?',
    confirm_no: 'No',
    confirm_yes: 'Yes, enrol',
    done_enrolled: 'You are enrolled. Staff will tell you before it starts.',
    done_waitlisted: (n) => `The seats are taken: you are number ${n} on the waiting list.`,
    status: { enrolled: 'Enrolled', waitlisted: 'Waiting list', withdrawn: 'Withdrawn', completed: 'Finished' },
    result: { passed: 'passed', failed: 'not passed', dropped_out: 'dropped out' },
    err: {
      course_full: 'This course and its waiting list are full.',
      course_started: 'This course has started: enrolment is closed.',
      already_enrolled: 'You are already enrolled in this course.',
      not_open: 'This course was cancelled.',
    },
  },
};

function w(key, ...args) {
  const v = WORDS[getLang() === 'en' ? 'en' : 'zh'][key];
  return typeof v === 'function' ? v(...args) : v;
}

export function courseWords(key) { return w(key); }

function languageText(code) {
  if (code === 'zh') return w('language').zh;
  const name = w('langs')[code];
  return name ? w('taught_in', name) : w('minority');
}

export function courseScreens(k) {
  function showCourses() {
    k.state.courseError = null;
    return k.goTo('courses', () => Promise.all([
      api.call('GET', `/v1/kiosk/courses?lang=${getLang()}`),
      api.call('GET', '/v1/kiosk/enrolments'),
    ]), ([list, mine]) => { k.state.courses = list; k.state.myCourses = mine; }, { fallback: 'jobs' });
  }

  function courseCard(c, withButton) {
    const left = c.seats - c.enrolled;
    const what = c.skill_id ? `${getLang() === 'en' ? c.skill_name_en : c.skill_name} · ${levelName(c.skill_level)}`
      : (getLang() === 'en' ? c.certificate_name_en : c.certificate_name);
    return h('div', { class: 'card course', data: { course: c.id } },
      h('h2', { class: 'job-title', 'data-speak': '' }, c.title),
      h('p', { class: 'course-gain', 'data-speak': '', data: { opens: c.opens_jobs } }, icon('star'), h('span', {}, c.text)),
      h('div', { class: 'facts' },
        h('span', {}, icon('award'), what),
        h('span', {}, icon('calendar'), w('dates', dateText(c.starts_on), dateText(c.ends_on))),
        h('span', {}, icon('clock'), w('hours', c.hours)),
        h('span', {}, icon('pin'), `${c.provider} · ${c.place || c.county_name}`),
        h('span', {}, icon('money'), w('cost', c.cost_cny, c.subsidy_cny)),
        h('span', {}, icon('people'), w('seats', left)),
        h('span', {}, icon('globe'), languageText(c.language))),
      withButton ? h('div', { class: 'row' },
        button(w('enrol'), 'forward', () => { k.state.course = c; k.show('course_confirm'); }, 'primary big',
          { action: 'enrol', course: c.id })) : null);
  }

  function screenCourses() {
    const list = (k.state.courses && k.state.courses.items) || [];
    const mine = (k.state.myCourses && k.state.myCourses.items) || [];
    return h('div', { class: 'courses' },
      h('header', { class: 'screen-head' }, h('h1', { 'data-speak': '' }, w('title'))),
      k.state.courseError ? h('div', { class: 'message bad', role: 'alert', 'data-speak': '' }, icon('alert'),
        h('span', {}, k.state.courseError)) : null,
      h('p', { class: 'hint', 'data-speak': '' }, w('hint')),
      mine.length ? h('div', { class: 'card my-courses', data: { mine: '' } },
        h('h2', {}, w('mine')),
        h('ul', { class: 'me-list' }, mine.map((e) => h('li', { data: { enrolment: e.id, status: e.status } },
          `${e.course_title} · ${w('status')[e.status] || e.status}`
          + (e.status === 'waitlisted' && e.waitlist_position ? ` ${e.waitlist_position}` : '')
          + (e.result ? ` · ${w('result')[e.result] || e.result}` : ''))))) : null,
      list.length ? list.map((c) => courseCard(c, true)) : h('p', { class: 'empty', 'data-speak': '' }, w('none')));
  }

  function screenConfirm() {
    return h('div', { class: 'card confirm', role: 'alertdialog' },
      h('h1', { 'data-speak': '' }, w('confirm_title')),
      courseCard(k.state.course, false),
      h('div', { class: 'row' },
        button(w('confirm_no'), 'back', () => k.show('courses'), 'secondary big', { action: 'cancel' }),
        button(w('confirm_yes'), 'check', enrol, 'primary big', { action: 'confirm' })));
  }

  async function enrol() {
    if (k.state.busy) return;
    k.state.busy = true;
    const my = k.navSeq();
    try {
      k.state.courseEnrolment = await api.call('POST', '/v1/kiosk/enrolments',
        { body: { course_id: k.state.course.id }, idempotencyKey: api.newKey() });
      if (my === k.navSeq()) k.show('course_done');
    } catch (e) {
      if (e instanceof api.Cancelled) return;
      if (my === k.navSeq()) {
        const said = w('err')[e.fieldCode];
        await showCourses();
        if (said) k.state.courseError = said;
        else k.setMessage('trouble', 'bad');
        k.render();
      }
    } finally {
      k.state.busy = false;
    }
  }

  function screenDone() {
    const e = k.state.courseEnrolment;
    return h('div', { class: 'card applied', data: { status: e.status } },
      h('h1', { class: 'ok-title', 'data-speak': '' }, icon('check'), h('span', {}, e.course_title)),
      h('p', { 'data-speak': '' }, e.status === 'waitlisted' ? w('done_waitlisted', e.waitlist_position) : w('done_enrolled')),
      h('div', { class: 'row' }, button(w('mine'), 'clipboard', showCourses, 'secondary big', { action: 'see-courses' })));
  }

  return {
    showCourses,
    screens: { courses: screenCourses, course_confirm: screenConfirm, course_done: screenDone },
  };
}
