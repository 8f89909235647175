// Organised trips to work in another province (外出打工) at the kiosk: the
// trips open for sign-up in plain words (where, which employer, which jobs
// and pay, the day and place of departure, how they travel, places left),
// signing up and taking a sign-up back after one confirmation, and the
// person's own sign-ups, cancelled trips with the reason.  Only someone who
// said they would work in another province may sign up; the others are told
// why and where to change it.
//
// app.js hands in its frame (state, goTo, show, render, setMessage, navSeq,
// showMe) and shows the screens this returns.

import * as api from './api.js';
import { h, icon, button } from './dom.js';
import { getLang } from './i18n.js';

const WORDS = {
  zh: {
    nav: '外出打工',
    title: '跟着政府组织去外省打工',
    hint: '政府组织的外出打工：统一坐车去，有人带队，到了有岗位。报名后工作人员会联系你。',
    none: '现在没有可以报名的外出打工。',
    mine: '我报名的外出打工',
    to: (prov, city) => `去${prov}${city ? ` ${city}` : ''}打工`,
    employer: (e) => `用工单位：${e}`,
    job: (title, lo, hi) => `${title}，每月 ${lo === hi ? lo : `${lo} 到 ${hi}`} 元`,
    leave: (d, place, how) => `${d} 从${place}${how}出发`,
    how: { chartered_bus: '坐包车', special_train: '坐专列', train: '坐火车', flight: '坐飞机', other: '' },
    places: (n) => (n > 0 ? `还有 ${n} 个名额` : '名额已满，可以先报名排队'),
    escort: (e) => `带队：${e}`,
    signup: '我要报名',
    withdraw: '不去了',
    confirm_title: '确认报名这一趟？',
    confirm_no: '再想想',
    confirm_yes: '确认报名',
    withdraw_title: '确定不去了吗？',
    withdraw_no: '还是要去',
    withdraw_yes: '确定不去',
    done: '报名成功！工作人员会打电话告诉你能不能去。',
    withdrawn: '已经取消报名。想去的话可以再报名。',
    state: {
      signed_up: '已报名，等工作人员安排', selected: '已入选，可以去', waitlisted: '人多，在排队等空位',
      departed: '已出发', arrived: '已到岗', returned: '已回家',
    },
    cancelled: (why) => `这一趟取消了：${why}`,
    not_willing_title: '你现在不能报名',
    not_willing: '你的想法里选的是“不去外省打工”。想报名的话，先在“我的信息”里把“愿意去外省打工”改成“是”。',
    go_me: '去改我的想法',
    day: (s) => {
      const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s || '');
      return m ? `${Number(m[2])}月${Number(m[3])}日` : s;
    },
    err: {
      not_willing: '你的想法里选的是“不去外省打工”，先改了才能报名。',
      trip_closed: '这一趟已经停止报名了。',
      duplicate: '你已经报名了这一趟。',
      on_another_trip: '你已经在另一趟的名单上了。',
    },
  },
  en: {
    nav: 'Work away',
    title: 'Organised trips to work in another province',
    hint: 'Trips organised by the government: you travel together with an escort and a job is waiting. Staff call you after you sign up.',
    none: 'There is no trip to sign up for right now.',
    mine: 'My trips',
    to: (prov, city) => `Work in ${prov}${city ? `, ${city}` : ''}`,
    employer: (e) => `Employer: ${e}`,
    job: (title, lo, hi) => `${title}, ${lo === hi ? lo : `${lo} to ${hi}`} CNY a month`,
    leave: (d, place, how) => `Leaves ${place} on ${d}${how ? ` ${how}` : ''}`,
    how: { chartered_bus: 'by coach', special_train: 'by special train', train: 'by train', flight: 'by air', other: '' },
    places: (n) => (n > 0 ? `${n} places left` : 'Full: you can sign up and wait'),
    escort: (e) => `Escort: ${e}`,
    signup: 'Sign me up',
    withdraw: 'I will not go',
    confirm_title: 'Sign up for this trip?',
    confirm_no: 'Not now',
    confirm_yes: 'Yes, sign me up',
    withdraw_title: 'Take back your sign-up?',
    withdraw_no: 'No, I will go',
    withdraw_yes: 'Yes, take it back',
    done: 'You are signed up. Staff will call you to say whether you can go.',
    withdrawn: 'Your sign-up is taken back. You can sign up again.',
    state: {
      signed_up: 'Signed up: waiting for staff', selected: 'Chosen: you can go', waitlisted: 'Many signed up: waiting for a place',
      departed: 'Left', arrived: 'At work', returned: 'Back home',
    },
    cancelled: (why) => `This trip is cancelled: ${why}`,
    not_willing_title: 'You cannot sign up now',
    not_willing: 'Your wishes say you would not work in another province. To sign up, change it under "My details" first.',
    go_me: 'Change my wishes',
    day: (s) => s,
    err: {
      not_willing: 'Your wishes say you would not work in another province: change that first.',
      trip_closed: 'This trip no longer takes sign-ups.',
      duplicate: 'You have signed up for this trip already.',
      on_another_trip: 'You are on the list of another trip.',
    },
  },
};

function w(key, ...args) {
  const v = WORDS[getLang() === 'en' ? 'en' : 'zh'][key];
  return typeof v === 'function' ? v(...args) : v;
}

export function tripWords(key) { return w(key); }

export function tripScreens(k) {
  function showTrips() {
    k.state.tripError = null;
    k.state.tripDone = null;
    return k.goTo('trips', () => api.call('GET', '/v1/kiosk/export-trips'),
      (data) => { k.state.trips = data; }, { fallback: 'jobs' });
  }

  function leaveText(x) {
    return w('leave', w('day', x.departure_on), x.departure_place, w('how')[x.transport] || '');
  }

  function tripCard(x, withButtons) {
    const mine = x.my_signup;
    const may = k.state.trips && k.state.trips.may_sign_up;
    return h('div', { class: 'card trip', data: { trip: x.id } },
      h('h2', { class: 'job-title', 'data-speak': '' }, w('to', x.dest_province_name, x.dest_city)),
      h('p', { class: 'trip-leave', 'data-speak': '' }, icon('bus'), h('span', {}, leaveText(x))),
      h('div', { class: 'facts' },
        h('span', { 'data-speak': '' }, icon('factory'), w('employer', x.employer_name)),
        (x.vacancies || []).map((v) => h('span', { class: 'trip-job', 'data-speak': '' }, icon('money'),
          w('job', v.title, v.wage_min, v.wage_max))),
        h('span', { class: 'trip-places', 'data-speak': '', data: { places: x.places_left } }, icon('people'),
          w('places', x.places_left)),
        x.escort ? h('span', {}, icon('hands'), w('escort', x.escort)) : null),
      mine ? h('p', { class: 'trip-state', 'data-speak': '', data: { state: mine.state } }, icon('check'),
        h('span', {}, w('state')[mine.state] || mine.state)) : null,
      withButtons && !mine && may ? h('div', { class: 'row' },
        button(w('signup'), 'forward', () => { k.state.trip = x; k.show('trip_confirm'); }, 'primary big',
          { action: 'trip-signup', trip: x.id })) : null,
      withButtons && mine && ['signed_up', 'selected', 'waitlisted'].includes(mine.state) ? h('div', { class: 'row' },
        button(w('withdraw'), 'back', () => { k.state.trip = x; k.show('trip_withdraw'); }, 'secondary big',
          { action: 'trip-withdraw', trip: x.id })) : null);
  }

  function mineCard(mine) {
    const gone = mine.filter((s) => s.trip_status === 'cancelled');
    if (!gone.length) return null;
    return h('div', { class: 'card my-trips', data: { mine: '' } },
      h('h2', {}, w('mine')),
      h('ul', { class: 'me-list' }, gone.map((s) => h('li', {
        class: 'trip-cancelled', 'data-speak': '', data: { signup: s.id, trip: s.trip_id },
      }, `${w('to', s.dest_province_name, s.dest_city)} · ${w('day', s.departure_on)} · ${w('cancelled', s.cancel_reason)}`))));
  }

  function screenTrips() {
    const d = k.state.trips || {};
    const list = d.items || [];
    const mineFirst = [...list.filter((x) => x.my_signup), ...list.filter((x) => !x.my_signup)];
    return h('div', { class: 'trips' },
      h('header', { class: 'screen-head' }, h('h1', { 'data-speak': '' }, w('title'))),
      k.state.tripError ? h('div', { class: 'message bad', role: 'alert', 'data-speak': '' }, icon('alert'),
        h('span', {}, k.state.tripError)) : null,
      k.state.tripDone ? h('div', { class: 'message ok', role: 'status', 'data-speak': '', data: { done: k.state.tripDone } },
        icon('check'), h('span', {}, w(k.state.tripDone === 'signup' ? 'done' : 'withdrawn'))) : null,
      h('p', { class: 'hint', 'data-speak': '' }, w('hint')),
      d.may_sign_up ? null : h('div', { class: 'card not-willing', data: { notWilling: '' } },
        h('h2', { 'data-speak': '' }, icon('info'), h('span', {}, w('not_willing_title'))),
        h('p', { 'data-speak': '' }, w('not_willing')),
        h('div', { class: 'row' }, button(w('go_me'), 'user', k.showMe, 'secondary big', { action: 'go-me' }))),
      mineCard(d.mine || []),
      list.length ? mineFirst.map((x) => tripCard(x, true)) : h('p', { class: 'empty', 'data-speak': '' }, w('none')));
  }

  function screenConfirm() {
    return h('div', { class: 'card confirm', role: 'alertdialog' },
      h('h1', { 'data-speak': '' }, w('confirm_title')),
      tripCard(k.state.trip, false),
      h('div', { class: 'row' },
        button(w('confirm_no'), 'back', () => k.show('trips'), 'secondary big', { action: 'cancel' }),
        button(w('confirm_yes'), 'check', () => act('signup'), 'primary big', { action: 'confirm' })));
  }

  function screenWithdraw() {
    return h('div', { class: 'card confirm', role: 'alertdialog' },
      h('h1', { 'data-speak': '' }, w('withdraw_title')),
      tripCard(k.state.trip, false),
      h('div', { class: 'row' },
        button(w('withdraw_no'), 'back', () => k.show('trips'), 'secondary big', { action: 'cancel' }),
        button(w('withdraw_yes'), 'check', () => act('withdraw'), 'primary big', { action: 'confirm' })));
  }

  // Signs up for or withdraws from k.state.trip, then shows the list again
  // with what happened said at the top.
  async function act(what) {
    if (k.state.busy) return;
    k.state.busy = true;
    const my = k.navSeq();
    try {
      await api.call('POST', `/v1/kiosk/export-trips/${k.state.trip.id}/${what}`, { body: {} });
      if (my === k.navSeq() && await showTrips()) {
        k.state.tripDone = what;
        k.render();
      }
    } catch (e) {
      if (e instanceof api.Cancelled) return;
      if (my === k.navSeq()) {
        const said = w('err')[e.fieldCode];
        await showTrips();
        if (said) k.state.tripError = said;
        else k.setMessage('trouble', 'bad');
        k.render();
      }
    } finally {
      k.state.busy = false;
    }
  }

  return {
    showTrips,
    screens: { trips: screenTrips, trip_confirm: screenConfirm, trip_withdraw: screenWithdraw },
  };
}
