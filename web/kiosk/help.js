// Asking for help (农户主动申请): the signed-in person picks one of four
// reasons with one tap; POST /v1/kiosk/help opens a visit for the household
// and the screen says when someone will come.  Asking again while a visit
// is open shows that one.  The screen never speaks of the household's status.

import * as api from './api.js';
import { h, icon, button } from './dom.js';
import { getLang } from './i18n.js';

const REASONS = [
  ['lost_job', 'briefcase'],
  ['illness', 'hands'],
  ['income_fell', 'money'],
  ['other', 'info'],
];

const TEXT = {
  zh: {
    nav: '求助',
    title: '遇到困难？告诉我们',
    intro: '选一项，工作人员会在几天内上门了解情况。',
    lost_job: '没有工作了',
    illness: '生病或受伤',
    income_fell: '收入减少了',
    other: '其他困难',
    done: '已收到你的求助',
    done_again: '你的求助已在处理中',
    visit: (d) => `工作人员会在 ${d} 前联系你或上门。`,
    reason: '求助原因',
  },
  en: {
    nav: 'Ask for help',
    title: 'Having a hard time? Tell us',
    intro: 'Pick one: staff will come and see you within a few days.',
    lost_job: 'I lost my job',
    illness: 'Illness or injury',
    income_fell: 'Our income fell',
    other: 'Something else',
    done: 'We have your request',
    done_again: 'Your request is already being handled',
    visit: (d) => `Staff will contact or visit you by ${d}.`,
    reason: 'Reason',
  },
};

export function helpText(key, arg) {
  const v = TEXT[getLang() === 'en' ? 'en' : 'zh'][key];
  return typeof v === 'function' ? v(arg) : v;
}

// ctx: { state, show(screen), render(), setMessage(key, tone) } of the app.
async function ask(ctx, reason) {
  if (ctx.state.busy) return;
  ctx.state.busy = true;
  try {
    ctx.state.help = await api.call('POST', '/v1/kiosk/help', { body: { reason }, idempotencyKey: api.newKey() });
    ctx.show('help_done');
  } catch (e) {
    if (e instanceof api.Cancelled) return;
    ctx.setMessage('trouble', 'bad');
    ctx.render();
  } finally {
    ctx.state.busy = false;
  }
}

export function screenHelp(ctx) {
  return h('div', { class: 'help' },
    h('header', { class: 'screen-head' }, h('h1', { 'data-speak': '' }, helpText('title'))),
    h('p', { 'data-speak': '' }, helpText('intro')),
    h('div', { class: 'help-reasons' },
      REASONS.map(([reason, iconName]) => button(helpText(reason), iconName, () => ask(ctx, reason),
        'primary big', { help: reason }))));
}

export function screenHelpDone(ctx) {
  const r = ctx.state.help || {};
  return h('div', { class: 'card applied', data: { helpId: r.id } },
    h('h1', { class: 'ok-title', 'data-speak': '' }, icon('check'),
      h('span', {}, helpText(r.already_open ? 'done_again' : 'done'))),
    h('p', { 'data-speak': '' }, `${helpText('reason')}: ${helpText(r.reason)}`),
    h('p', { 'data-speak': '', class: 'help-visit' }, helpText('visit', r.due_on)));
}
