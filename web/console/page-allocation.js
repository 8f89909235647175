// Bulk allocation of a project's open posts (POST /v1/allocations): run it,
// follow its state and progress (cancel while it is queued or running),
// review the draft (drop an assignment, restore a dropped one), confirm it,
// then open the public notice (公示).  Shown only when the server has the
// allocation API; otherwise the panel says so.
import * as api from './api.js';
import { t, getLang, enumLabel } from './i18n.js';
import {
  h, clear, table, section, notice, link, badge, toast, problemView, confirmDialog, fmtInt, meter, sleep, retryDelay, saveBlob,
} from './ui.js';
import { printable } from './page-reports.js';

const ROUTE = '/v1/allocations';
const RUNNING = ['queued', 'running'];
const STATE_KIND = { queued: 'info', running: 'info', draft: 'info', confirmed: 'ok', cancelled: 'warn', failed: 'bad' };
const POLL_MS = 1000;

function getAllocation(id) {
  return api.get(`${ROUTE}/${id}`, { lang: getLang() });
}

function stateBadge(state) {
  return badge(enumLabel('allocation_state', state), STATE_KIND[state] || '');
}

function points(x) {
  return x === null || x === undefined ? '—' : Number(x).toFixed(1);
}

function summaryText(sum) {
  return t('alloc_summary', {
    p: fmtInt(sum.posts), a: fmtInt(sum.assigned), z: fmtInt(sum.zero_employment_covered), m: fmtInt(sum.monitored_covered),
    s: points(sum.total_score), u: fmtInt(sum.unassigned_eligible),
  });
}

// The allocation panel of one project: returns {el, resume}
function panel(ctx, project) {
  const writable = ctx.can('allocations:write');
  const slot = h('div', { id: 'alloc-result' });
  const open = (project.vacancies || []).filter((v) => v.status === 'open' && v.headcount > v.filled);
  const run = h('button', { type: 'button', id: 'alloc-run', disabled: !open.length }, t('alloc_run'));
  let conflicts = new Map(); // assignment id -> reason, from a refused confirm
  let following = 0; // the newest poll; older ones stop
  let lastShown = {}; // the allocation on screen

  const gone = (mine) => mine !== following || !slot.isConnected;

  // Asks for the allocation until it is no longer queued or running
  async function follow(id) {
    const mine = ++following;
    for (let busy = 0; ;) {
      let a;
      try {
        a = await getAllocation(id);
        busy = 0;
      } catch (e) {
        if (e instanceof api.ApiError && e.status === 503 && busy < 10) {
          await sleep(retryDelay(busy++, e));
          if (gone(mine)) return;
          continue;
        }
        throw e;
      }
      if (gone(mine)) return;
      show(a);
      if (!RUNNING.includes(a.state)) return;
      await sleep(POLL_MS);
      if (gone(mine)) return;
    }
  }

  function followShowingErrors(id) {
    return follow(id).catch((e) => clear(slot, problemView(e)));
  }

  async function cancel(a, btn) {
    if (!(await confirmDialog(t('alloc_cancel_q')))) return;
    btn.disabled = true;
    following++; // the poll stops drawing
    let err = null;
    try {
      await api.post(`${ROUTE}/${a.id}/cancel`, {});
      toast(t('alloc_cancelled'));
    } catch (e) {
      err = e;
    }
    // after a refusal (409: it finished meanwhile) too, show what it is now
    await followShowingErrors(a.id);
    if (err && slot.isConnected) slot.append(problemView(err));
  }

  async function confirm(a, btn) {
    if (!(await confirmDialog(t('alloc_confirm_q')))) return;
    btn.disabled = true;
    try {
      const done = await api.post(`${ROUTE}/${a.id}/confirm`, {});
      conflicts = new Map();
      toast(t('alloc_confirmed'));
      show(done);
    } catch (e) {
      const list = (e instanceof api.ApiError && e.status === 409 && Array.isArray(e.problem.conflicts)) ? e.problem.conflicts : null;
      if (list) conflicts = new Map(list.map((c) => [c.assignment_id, c.reason]));
      await followShowingErrors(a.id);
      if (list) slot.append(conflictView(list));
      else slot.append(problemView(e));
    }
  }

  async function move(a, x, act, btn) {
    btn.disabled = true;
    try {
      await api.post(`${ROUTE}/${a.id}/assignments/${x.id}/${act}`, {});
      if (act === 'drop') conflicts.delete(x.id);
      await followShowingErrors(a.id);
    } catch (e) {
      btn.disabled = false;
      btn.after(problemView(e));
    }
  }

  function conflictView(list) {
    const rows = new Map((lastShown.assignments || []).map((x) => [x.id, x]));
    return h('div', { class: 'error', role: 'alert', id: 'alloc-conflicts' },
      h('p', null, t('alloc_conflicts')),
      h('ul', null, list.map((c) => {
        const x = rows.get(c.assignment_id) || {};
        return h('li', null, `${x.worker_name || `#${x.worker_id || c.worker_id || ''}`} → ${x.vacancy_title || `#${x.vacancy_id || c.vacancy_id || ''}`}：${enumLabel('alloc_conflict', c.reason)}`);
      })));
  }

  function assignmentTable(a) {
    const draft = a.state === 'draft' && writable;
    const cols = [
      { label: t('worker'), value: (x) => link(`#/workers/${x.worker_id}`, x.worker_name || `#${x.worker_id}`) },
      { label: t('vacancy'), value: (x) => link(`#/vacancies/${x.vacancy_id}`, x.vacancy_title || `#${x.vacancy_id}`) },
      { label: t('score'), num: true, value: (x) => h('span', { class: 'score' }, points(x.score)) },
      { label: t('reasons'), value: (x) => h('ul', { class: 'reasons' }, (x.reasons || []).slice(0, 4).map((r) => h('li', { dataset: { code: r.code } }, r.text))) },
      { label: t('status'), value: (x) => [enumLabel('assignment_state', x.state),
        conflicts.has(x.id) ? [' ', badge(enumLabel('alloc_conflict', conflicts.get(x.id)), 'warn')] : null] },
    ];
    if (draft) {
      cols.push({ label: t('actions'), value: (x) => {
        const act = x.state === 'dropped' ? 'restore' : 'drop';
        if (x.state !== 'dropped' && x.state !== 'proposed') return '';
        const b = h('button', { type: 'button', class: 'secondary small', dataset: { assignment: x.id, act } }, t(`alloc_${act}`));
        b.addEventListener('click', () => move(a, x, act, b));
        return b;
      } });
    }
    return table(cols, a.assignments || [], {
      empty: t('none'),
      rowClass: (x) => [x.state === 'dropped' ? 'dropped' : '', conflicts.has(x.id) ? 'conflict' : ''].filter(Boolean).join(' ') || null,
    });
  }

  function unassignedView(a) {
    const list = a.unassigned || [];
    if (!list.length) return null;
    return h('details', { id: 'alloc-unassigned' }, h('summary', null, `${t('alloc_unassigned')} (${fmtInt(a.unassigned_total ?? list.length)})`),
      h('ul', null, list.map((u) => h('li', null, link(`#/workers/${u.worker_id}`, u.worker_name || `#${u.worker_id}`), '：', u.why_text || u.why,
        u.best_score === null || u.best_score === undefined ? '' : t('alloc_best_score', { s: points(u.best_score) })))));
  }

  async function csv(a, btn) {
    btn.disabled = true;
    try {
      const f = await api.fetchFile(`${ROUTE}/${a.id}/notice`, { format: 'csv', lang: getLang() });
      saveBlob(f.blob, f.filename || `notice-${a.id}.csv`);
    } catch (e) {
      btn.after(problemView(e));
    } finally {
      btn.disabled = false;
    }
  }

  function confirmedView(a) {
    const csvBtn = h('button', { type: 'button', class: 'secondary', id: 'alloc-notice-csv' }, t('alloc_notice_csv'));
    csvBtn.addEventListener('click', () => csv(a, csvBtn));
    return [
      notice(t('alloc_confirmed'), 'ok'),
      a.notice_until ? h('p', { id: 'alloc-notice-until' }, t('alloc_notice_until', { d: a.notice_until })) : null,
      h('div', { class: 'buttons' }, h('a', { class: 'button', id: 'alloc-notice', href: `#/allocations/${a.id}/notice` }, t('alloc_notice')), csvBtn),
    ];
  }

  function show(a) {
    lastShown = a;
    run.disabled = !open.length || RUNNING.includes(a.state);
    const head = h('h3', null, t('alloc_n', { id: a.id }), ' ', stateBadge(a.state));
    const cancelBtn = h('button', { type: 'button', class: 'secondary', id: 'alloc-cancel' }, t('alloc_cancel'));
    cancelBtn.addEventListener('click', () => cancel(a, cancelBtn));
    if (RUNNING.includes(a.state)) {
      const p = Math.max(0, Math.min(100, Number(a.progress) || 0));
      clear(slot, head,
        h('p', { id: 'alloc-progress', role: 'status', dataset: { state: a.state } }, meter(p / 100, t('alloc_running', { p }))),
        writable ? h('div', { class: 'buttons' }, cancelBtn) : null);
      return;
    }
    const confirmBtn = h('button', { type: 'button', id: 'alloc-confirm' }, t('alloc_confirm'));
    confirmBtn.addEventListener('click', () => confirm(a, confirmBtn));
    const live = (a.assignments || []).some((x) => x.state === 'proposed');
    clear(slot, head,
      a.state === 'failed' ? notice(a.error || t('alloc_failed'), 'bad') : null,
      a.state === 'cancelled' ? notice(t('alloc_cancelled'), 'warn') : null,
      a.summary ? h('p', { id: 'alloc-summary' }, summaryText(a.summary)) : null,
      a.state === 'cancelled' || a.state === 'failed' ? null : assignmentTable(a),
      unassignedView(a),
      a.state === 'draft' && writable ? h('div', { class: 'buttons' }, live ? confirmBtn : null, cancelBtn) : null,
      a.state === 'confirmed' ? confirmedView(a) : null);
  }

  run.addEventListener('click', async () => {
    run.disabled = true;
    conflicts = new Map();
    clear(slot, h('p', { class: 'loading' }, t('alloc_running', { p: 0 })));
    try {
      const a = await api.post(ROUTE, { project_id: project.id }, { idempotencyKey: api.newKey() });
      show(a);
      await follow(a.id);
    } catch (e) {
      if (e.status === 404) clear(slot, notice(t('err_not_available', { route: `POST ${ROUTE}` }), 'warn'));
      else clear(slot, problemView(e));
      run.disabled = !open.length;
    }
  });

  // The project's newest allocation, unless cancelled, when nothing was started here meanwhile
  async function resume() {
    try {
      const d = await api.get(ROUTE, { project_id: project.id, sort: '-id', limit: 1 });
      const a = (d.items || []).find((x) => x.project_id === project.id);
      if (a && a.state !== 'cancelled' && following === 0) await follow(a.id);
    } catch (e) {
      // nothing to resume: the panel still offers a new run
    }
  }

  const el = section(t('alloc_title'), h('div', { id: 'allocation', dataset: { available: 'true' } },
    h('p', { class: 'muted' }, t('alloc_hint')),
    open.length ? null : notice(t('alloc_no_open'), 'info'),
    writable ? h('div', { class: 'buttons' }, run) : null, slot));
  return { el, resume };
}

export async function allocationPanel(ctx, project) {
  if (!(await api.hasRoute('POST', ROUTE))) {
    return section(t('alloc_title'), h('div', { id: 'allocation', dataset: { available: 'false' } },
      notice(t('err_not_available', { route: `POST ${ROUTE}` }), 'warn')));
  }
  const p = panel(ctx, project);
  p.resume();
  return p.el;
}

// The public notice of a confirmed allocation, as the server prints it (names masked)
export async function noticePage(ctx) {
  const a = await getAllocation(ctx.params.id);
  const back = a.project_id ? `#/projects/${a.project_id}` : '#/projects';
  await printable(ctx, back, () => api.fetchFile(`${ROUTE}/${a.id}/notice`, { format: 'html', lang: getLang() }), t('alloc_notice'));
}
