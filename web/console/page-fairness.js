// The fairness report: per group of a dimension (sex, age band, Mandarin,
// sex x age band, ethnicity for staff granted it) each stage's rate with its
// 95 % interval drawn as inline SVG, the four-fifths line, and a table with
// n, k, the ratio to the best-off group and the status; CSV to download.
// Figures as docs/reports.md defines them (GET /v1/reports/fairness).
import * as api from './api.js';
import * as ref from './refdata.js';
import { getLang } from './i18n.js';
import { h, s, clear, field, select, dateInput, section, loading, saveBlob, problemView, badge, today } from './ui.js';

const TEXT = {
  title: ['公平性报告', 'Fairness report'],
  intro: ['各群体在报名、录用、留岗和分配中的比率；样本少于 {n} 人的群体不作判断。', 'Rates of each group at each stage; groups of fewer than {n} people are not judged.'],
  dimension: ['分组', 'Group by'],
  stage: ['环节', 'Stage'],
  county: ['县（区）', 'County'],
  all_counties: ['全部', 'All'],
  from: ['起始日期', 'From'],
  to: ['截止日期', 'To'],
  show: ['查看', 'Show'],
  csv: ['下载 CSV', 'Download CSV'],
  group: ['群体', 'Group'],
  rate: ['比率', 'Rate'],
  ci: ['95% 置信区间', '95 % interval'],
  ratio: ['与最高群体之比', 'Ratio to best'],
  status: ['判断', 'Status'],
  people: ['人数', 'People'],
  four_fifths: ['五分之四线', 'four-fifths line'],
  none: ['没有数据', 'No data'],
  sex: ['性别', 'Sex'], age_band: ['年龄段', 'Age band'], mandarin_level: ['普通话', 'Mandarin'],
  sex_age_band: ['性别 × 年龄段', 'Sex × age band'], ethnicity: ['民族', 'Ethnicity'],
  applied: ['报名', 'Applied'], offered: ['获得录用通知', 'Offered'], hired: ['入职', 'Hired'],
  retained_6m: ['六个月留岗', 'Retained 6 months'], candidate: ['进入分配候选', 'Allocation candidate'],
  assigned: ['分配到岗（候选人中）', 'Assigned (of candidates)'],
  ok: ['正常', 'OK'], below_four_fifths: ['低于五分之四', 'Below four fifths'], too_few: ['样本太少，不作判断', 'Too few to judge'],
  M: ['男', 'Men'], F: ['女', 'Women'], none_m: ['不会', 'None'], basic: ['一般', 'Basic'], fluent: ['熟练', 'Fluent'],
};

function tr(key, vars) {
  const e = TEXT[key];
  let v = e ? e[getLang() === 'en' ? 1 : 0] : key;
  for (const [k, x] of Object.entries(vars || {})) v = v.replace(`{${k}}`, x);
  return v;
}

function groupLabel(dim, g) {
  if (dim === 'sex') return tr(g);
  if (dim === 'mandarin_level') return tr(g === 'none' ? 'none_m' : g);
  if (dim === 'sex_age_band') { const [sx, band] = g.split(' '); return `${tr(sx)} ${band}`; }
  return g;
}

const pct = (x) => (x === null || x === undefined ? '—' : `${(x * 100).toFixed(1)}%`);

// One row per group: the interval as a line, the rate as a dot, and the
// four-fifths line of the best-off group's rate.
function intervalChart(title, dim, groups, stage, fourFifths) {
  const rows = groups.filter((g) => g.stages[stage] && g.stages[stage].n > 0);
  if (!rows.length) return h('figure', { class: 'chart' }, h('figcaption', null, title), h('p', { class: 'muted' }, tr('none')));
  const W = 560; const labelW = 150; const valueW = 80; const rowH = 26;
  const plotW = W - labelW - valueW - 10;
  const height = rows.length * rowH + 24;
  const x = (v) => labelW + v * plotW;
  const svg = s('svg', { viewBox: `0 0 ${W} ${height}`, class: 'intervals', role: 'img', 'aria-label': title, id: 'fairness-chart' });
  for (const v of [0, 0.25, 0.5, 0.75, 1]) {
    svg.append(s('line', { x1: x(v), x2: x(v), y1: 0, y2: height - 18, class: 'grid' }),
      s('text', { x: x(v), y: height - 4, 'text-anchor': 'middle', class: 'axis' }, `${v * 100}%`));
  }
  const judged = rows.filter((g) => g.stages[stage].status !== 'too_few').map((g) => g.stages[stage].rate);
  const best = judged.length ? Math.max(...judged) : null;
  if (best > 0) {
    svg.append(s('line', { x1: x(best * fourFifths), x2: x(best * fourFifths), y1: 0, y2: height - 18, class: 'four-fifths' },
      s('title', null, tr('four_fifths'))));
  }
  rows.forEach((g, i) => {
    const f = g.stages[stage];
    const y = 6 + i * rowH + rowH / 2;
    svg.append(s('g', { class: `interval ${f.status}`, 'data-group': g.group },
      s('title', null, `${groupLabel(dim, g.group)}: ${pct(f.rate)} (${pct(f.ci_low)}–${pct(f.ci_high)}), n=${f.n}`),
      s('text', { x: labelW - 8, y: y + 4, 'text-anchor': 'end', class: 'label' }, groupLabel(dim, g.group)),
      s('line', { x1: x(f.ci_low ?? 0), x2: x(f.ci_high ?? 0), y1: y, y2: y, class: 'ci' }),
      s('circle', { cx: x(f.rate ?? 0), cy: y, r: 5, class: 'rate' }),
      s('text', { x: labelW + plotW + 8, y: y + 4, class: 'value' }, `${pct(f.rate)} n=${f.n}`)));
  });
  return h('figure', { class: 'chart' }, h('figcaption', null, title), svg);
}

function groupTable(dim, groups, stage) {
  const kind = { ok: 'ok', below_four_fifths: 'bad', too_few: 'warn' };
  const rows = groups.map((g) => {
    const f = g.stages[stage] || {};
    return h('tr', { dataset: { group: g.group, status: f.status || '' } },
      h('th', { scope: 'row' }, groupLabel(dim, g.group)),
      h('td', { class: 'num' }, String(f.n ?? '')), h('td', { class: 'num' }, String(f.k ?? '')),
      h('td', { class: 'num' }, pct(f.rate)), h('td', { class: 'num' }, `${pct(f.ci_low)} – ${pct(f.ci_high)}`),
      h('td', { class: 'num' }, f.ratio_to_best === null || f.ratio_to_best === undefined ? '—' : f.ratio_to_best.toFixed(2)),
      h('td', null, badge(tr(f.status), kind[f.status] || '')));
  });
  return h('table', { class: 'data', id: 'fairness-table' },
    h('thead', null, h('tr', null, [tr('group'), 'n', 'k', tr('rate'), tr('ci'), tr('ratio'), tr('status')].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', null, rows));
}

export async function render(ctx) {
  const q = ctx.query;
  const p = { county_code: q.county_code || '', from: q.from || today(-365), to: q.to || today() };
  const dim = q.dim || 'sex';
  const stage = q.stage || 'applied';
  const counties = (await ref.counties().catch(() => []))
    .filter((c) => !(ctx.me.county_codes && ctx.me.county_codes.length) || ctx.me.county_codes.includes(c.code))
    .map((c) => [c.code, c.name]);
  const dims = ['sex', 'age_band', 'mandarin_level', 'sex_age_band', 'ethnicity'];
  const stages = ['applied', 'offered', 'hired', 'retained_6m', 'candidate', 'assigned'];
  const form = h('form', { class: 'filters', id: 'fairness-form' },
    field(tr('county'), select('county_code', counties, p.county_code, { empty: tr('all_counties') })),
    field(tr('from'), dateInput('from', p.from)), field(tr('to'), dateInput('to', p.to)),
    field(tr('dimension'), select('dim', dims.map((d) => [d, tr(d)]), dim)),
    field(tr('stage'), select('stage', stages.map((x) => [x, tr(x)]), stage)),
    h('div', { class: 'buttons' }, h('button', { type: 'submit' }, tr('show'))));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const fd = new FormData(form);
    ctx.go(`#/reports/fairness${api.query({ county_code: fd.get('county_code'), from: fd.get('from'), to: fd.get('to'), dim: fd.get('dim'), stage: fd.get('stage') })}`);
  });
  const out = h('div', { id: 'fairness-out' }, loading());
  clear(ctx.root, h('h1', null, tr('title')), form, out);
  const params = { county_code: p.county_code || undefined, from: p.from, to: p.to };
  const r = await api.get('/v1/reports/fairness', params);
  const slot = h('div');
  const csv = h('button', { type: 'button', class: 'secondary', id: 'fairness-csv' }, tr('csv'));
  csv.addEventListener('click', async () => {
    csv.disabled = true;
    try {
      const f = await api.fetchFile('/v1/reports/fairness', { ...params, format: 'csv' });
      saveBlob(f.blob, f.filename || 'fairness.csv');
    } catch (err) {
      clear(slot, problemView(err));
    } finally {
      csv.disabled = false;
    }
  });
  const groups = (r.dimensions && r.dimensions[dim]) || [];
  clear(out,
    h('div', { class: 'page-head' }, h('h2', null, `${tr(dim)} · ${tr(stage)}`), h('div', { class: 'actions' }, csv)),
    slot,
    h('p', { class: 'muted' }, `${r.from} – ${r.to} · ${tr('people')} ${r.people} · ${tr('intro', { n: r.min_n })}`),
    section(tr(stage), intervalChart(`${tr(dim)} · ${tr(stage)}`, dim, groups, stage, r.four_fifths), groupTable(dim, groups, stage)));
  ctx.root.dataset.loaded = 'fairness';
}
