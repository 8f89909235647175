// Bulk allocation of a project's open posts: run, review the draft (drop
// single assignments), confirm.  Shown only when the server has the
// allocation API; otherwise the panel says so.
import * as api from './api.js';
import { t, getLang } from './i18n.js';
import { h, clear, table, section, notice, link, badge, toast, problemView, confirmDialog, fmtInt } from './ui.js';

const ROUTE = '/v1/allocations';

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

function pick(o, ...keys) {
  for (const k of keys) if (o && o[k] !== undefined && o[k] !== null) return o[k];
  return undefined;
}

function assignmentsOf(a) {
  return pick(a, 'assignments', 'items') || [];
}

function unassignedOf(a) {
  return pick(a, 'unassigned', 'not_assigned') || [];
}

function draftView(ctx, a, slot, refresh) {
  const state = pick(a, 'state', 'status');
  const done = ['confirmed', 'final', 'done'].includes(state);
  const canEdit = !done && ctx.can('allocations:write');
  const sum = a.summary || {};
  const rows = assignmentsOf(a).filter((x) => !x.dropped);
  const cols = [
    { label: t('worker'), value: (x) => link(`#/workers/${pick(x, 'worker_id')}`, pick(x, 'worker_name') || (x.worker && x.worker.name) || `#${x.worker_id}`) },
    { label: t('vacancy'), value: (x) => link(`#/vacancies/${pick(x, 'vacancy_id')}`, pick(x, 'vacancy_title') || (x.vacancy && x.vacancy.title) || `#${x.vacancy_id}`) },
    { label: t('score'), num: true, value: (x) => h('span', { class: 'score' }, Number(pick(x, 'score') || 0).toFixed(1)) },
    { label: t('reasons'), value: (x) => h('ul', { class: 'reasons' }, (x.reasons || []).slice(0, 4).map((r) => h('li', null, r.text || r))) },
  ];
  if (canEdit) {
    cols.push({ label: t('actions'), value: (x) => {
      const b = h('button', { type: 'button', class: 'secondary small' }, t('alloc_drop'));
      b.addEventListener('click', async () => {
        b.disabled = true;
        try {
          const id = pick(x, 'id', 'assignment_id');
          await api.post(`${ROUTE}/${a.id}/assignments/${id}/drop`, {});
          refresh();
        } catch (e) {
          b.disabled = false;
          b.after(problemView(e));
        }
      });
      return b;
    } });
  }
  const confirmBtn = h('button', { type: 'button', id: 'alloc-confirm' }, t('alloc_confirm'));
  confirmBtn.addEventListener('click', async () => {
    if (!(await confirmDialog(t('alloc_confirm')))) return;
    confirmBtn.disabled = true;
    try {
      await api.post(`${ROUTE}/${a.id}/confirm`, {}, { idempotencyKey: api.newKey() });
      toast(t('alloc_confirmed'));
      refresh();
    } catch (e) {
      confirmBtn.disabled = false;
      confirmBtn.after(problemView(e));
    }
  });
  clear(slot,
    h('h3', null, t('alloc_draft'), ' ', badge(String(state || ''), done ? 'ok' : 'info')),
    h('p', { id: 'alloc-summary' }, t('alloc_summary', {
      a: fmtInt(pick(sum, 'assigned') ?? rows.length), z: fmtInt(pick(sum, 'zero_employment_households', 'zero_employment_covered') ?? 0),
      m: fmtInt(pick(sum, 'monitored_households', 'monitored_covered') ?? 0), s: Number(pick(sum, 'total_score') ?? 0).toFixed(1),
    })),
    table(cols, rows, { empty: t('none') }),
    unassignedOf(a).length ? h('details', null, h('summary', null, `${t('alloc_unassigned')} (${unassignedOf(a).length})`),
      h('ul', null, unassignedOf(a).map((u) => h('li', null, `${pick(u, 'worker_name') || `#${u.worker_id}`}: ${pick(u, 'reason_text', 'text', 'reason') || ''}`)))) : null,
    done ? notice(t('alloc_confirmed'), 'ok') : (canEdit ? h('div', { class: 'buttons' }, confirmBtn) : null));
}

async function follow(ctx, id, slot) {
  for (;;) {
    const a = await api.get(`${ROUTE}/${id}`, { lang: getLang() });
    const state = pick(a, 'state', 'status');
    if (!['queued', 'running', 'pending'].includes(state)) {
      draftView(ctx, a, slot, () => follow(ctx, id, slot).catch((e) => clear(slot, problemView(e))));
      return a;
    }
    clear(slot, h('p', { class: 'loading' }, t('alloc_running', { p: pick(a, 'progress', 'percent') ?? 0 })));
    await sleep(500);
  }
}

export async function allocationPanel(ctx, project) {
  if (!(await api.hasRoute('POST', ROUTE))) {
    return section(t('alloc_title'), h('div', { id: 'allocation', dataset: { available: 'false' } },
      notice(t('err_not_available', { route: `POST ${ROUTE}` }), 'warn')));
  }
  const slot = h('div', { id: 'alloc-result' });
  const open = (project.vacancies || []).filter((v) => v.status === 'open' && v.headcount > v.filled);
  const run = h('button', { type: 'button', id: 'alloc-run', disabled: !open.length }, t('alloc_run'));
  run.addEventListener('click', async () => {
    run.disabled = true;
    clear(slot, h('p', { class: 'loading' }, t('alloc_running', { p: 0 })));
    try {
      const a = await api.post(ROUTE, { vacancy_ids: open.map((v) => v.id) }, { idempotencyKey: api.newKey() });
      await follow(ctx, a.id, slot);
    } catch (e) {
      if (e.status === 404) clear(slot, notice(t('err_not_available', { route: `POST ${ROUTE}` }), 'warn'));
      else clear(slot, problemView(e));
    } finally {
      run.disabled = false;
    }
  });
  return section(t('alloc_title'), h('div', { id: 'allocation', dataset: { available: 'true' } },
    h('p', { class: 'muted' }, t('alloc_hint')),
    open.length ? null : notice(t('alloc_no_open'), 'info'),
    ctx.can('allocations:write') ? h('div', { class: 'buttons' }, run) : null, slot));
}
