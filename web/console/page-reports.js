// The quarterly report to the province: pick year, quarter and county, read
// it, download the CSV, or open the printable A4 page the server makes.
import * as api from './api.js';
import * as ref from './refdata.js';
import { t, getLang } from './i18n.js';
import { h, clear, field, select, section, loading, notice, fmtInt, saveBlob, problemView, today } from './ui.js';

// The figures in the order the province reads them, named as docs/reports.md
// defines them (as server/handlers/h_reports.c)
const FIGURES = [
  ['labor_force', '劳动力', 'Labour force'],
  ['employed', '已就业', 'Employed'],
  ['employed_local', '县内就业', 'Employed in the county'],
  ['employed_outside_county', '县外省内就业', 'Employed outside the county, in the province'],
  ['employed_outside_province', '省外就业', 'Employed outside the province'],
  ['newly_employed', '本季度新增就业', 'Newly employed this quarter'],
  ['work_relief_posts', '以工代赈岗位', 'Work-relief posts'],
  ['public_welfare_posts', '公益性岗位', 'Public-welfare posts'],
  ['forest_ranger_posts', '生态护林员', 'Forest rangers'],
  ['programme_posts_monitored_households', '其中监测户成员', 'Of these, monitored households'],
  ['trainings_completed', '完成培训', 'Trainings completed'],
  ['zero_employment_households_start', '季初零就业家庭', 'Zero-employment households, start'],
  ['zero_employment_households_end', '季末零就业家庭', 'Zero-employment households, end'],
  ['monitored_households', '防返贫监测户', 'Monitored households'],
  ['followups_done', '完成回访', 'Follow-ups done'],
];

function lastQuarter() {
  const [y, m] = today().split('-').map(Number);
  const q = Math.floor((m - 1) / 3);
  return q === 0 ? { year: y - 1, quarter: 4 } : { year: y, quarter: q };
}

function paramsOf(q) {
  const d = lastQuarter();
  return { year: q.year || String(d.year), quarter: q.quarter || String(d.quarter), county: q.county || '' };
}

async function countyChoices(ctx) {
  const all = await ref.counties();
  if (ctx.me.county_codes && ctx.me.county_codes.length) return all.filter((c) => ctx.me.county_codes.includes(c.code)).map((c) => [c.code, c.name]);
  if (ctx.can('sites:read')) {
    const have = new Set((await ref.sites()).map((s) => s.county_code));
    return all.filter((c) => have.has(c.code)).map((c) => [c.code, c.name]);
  }
  return all.map((c) => [c.code, c.name]);
}

function reportTable(r) {
  const en = getLang() === 'en';
  const row = (cls, name, figs) => h('tr', { class: cls, dataset: { row: cls } },
    h('th', { scope: 'row' }, name), FIGURES.map(([k]) => h('td', { class: 'num', dataset: { key: k } }, fmtInt(figs ? figs[k] : null))));
  const body = [row('total', t('total'), r.total)];
  for (const c of r.counties || []) {
    body.push(row('county', c.county_name, c.figures));
    for (const s of c.sites || []) body.push(row('site', s.site_name, s.figures));
  }
  return h('div', { class: 'report-table-wrap' }, h('table', { class: 'data report', id: 'quarterly-table' },
    h('thead', null, h('tr', null, h('th', { scope: 'col' }, t('county_site')), FIGURES.map((f) => h('th', { scope: 'col', class: 'num' }, en ? f[2] : f[1])))),
    h('tbody', null, body)));
}

async function download(p, btn, slot) {
  btn.disabled = true;
  try {
    const f = await api.fetchFile('/v1/reports/quarterly', { ...p, format: 'csv' });
    saveBlob(f.blob, f.filename || `report-${p.year}-q${p.quarter}.csv`);
  } catch (e) {
    clear(slot, problemView(e));
  } finally {
    btn.disabled = false;
  }
}

export async function quarterly(ctx) {
  const p = paramsOf(ctx.query);
  const thisYear = Number(today().slice(0, 4));
  const years = [];
  for (let y = thisYear; y >= 2016; y--) years.push([y, String(y)]);
  const counties = await countyChoices(ctx).catch(() => []);
  const form = h('form', { class: 'filters', id: 'quarterly-form' },
    field(t('year'), select('year', years, p.year)),
    field(t('quarter'), select('quarter', [1, 2, 3, 4].map((n) => [n, t('quarter_n', { n })]), p.quarter)),
    field(t('county'), select('county', counties, p.county, { empty: t('all_counties') })),
    h('div', { class: 'buttons' }, h('button', { type: 'submit' }, t('show'))));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const fd = new FormData(form);
    ctx.go(`#/reports/quarterly${api.query({ year: fd.get('year'), quarter: fd.get('quarter'), county: fd.get('county') })}`);
  });
  const out = h('div', { id: 'quarterly-out' });
  clear(ctx.root, h('h1', null, t('quarterly_title')), form, out);
  if (!ctx.query.year) {
    out.append(h('p', { class: 'muted' }, t('report_slow')));
    return;
  }
  out.append(loading(), h('p', { class: 'muted' }, t('report_slow')));
  const r = await api.get('/v1/reports/quarterly', p);
  const slot = h('div');
  const csv = h('button', { type: 'button', class: 'secondary', id: 'download-csv' }, t('download_csv'));
  csv.addEventListener('click', () => download(p, csv, slot));
  clear(out,
    h('div', { class: 'page-head' },
      h('h2', null, `${r.year} ${t('quarter_n', { n: r.quarter })}`),
      h('div', { class: 'actions' }, csv, h('a', { class: 'button', id: 'printable', href: `#/reports/quarterly/print${api.query(p)}` }, t('printable')))),
    slot,
    h('p', { class: 'muted' }, t('period', { from: r.from, to: r.to, due: r.due_on })),
    h('p', { class: 'muted', id: 'report-as-of' }, t('report_as_of', { d: r.as_of })),
    r.complete ? null : notice(t('provisional'), 'warn'),
    section(t('quarterly_title'), reportTable(r)));
  ctx.root.dataset.loaded = 'quarterly';
}

// Only these elements and attributes of the server's page are copied
const ALLOWED = new Set(['H1', 'P', 'TABLE', 'THEAD', 'TBODY', 'TR', 'TH', 'TD', 'FOOTER', 'CAPTION', 'BR']);
function copyNode(node) {
  if (node.nodeType === Node.TEXT_NODE) return document.createTextNode(node.textContent);
  if (node.nodeType !== Node.ELEMENT_NODE || !ALLOWED.has(node.tagName)) return null;
  const el = document.createElement(node.tagName.toLowerCase());
  for (const a of ['class', 'scope', 'colspan', 'rowspan']) if (node.hasAttribute(a)) el.setAttribute(a, node.getAttribute(a));
  for (const c of node.childNodes) {
    const copy = copyNode(c);
    if (copy) el.append(copy);
  }
  return el;
}

// A printable page the server makes (format=html: the quarterly report, an
// allocation's public notice), shown inside the console with its own A4
// stylesheet (applied through CSSOM, which the CSP allows).  file() fetches it
// with the session; backHref is where the Back button goes.
export async function printable(ctx, backHref, file, fallbackTitle) {
  document.body.classList.add('print-view');
  const back = h('a', { class: 'button secondary', id: 'print-back', href: backHref }, t('back'));
  const printBtn = h('button', { type: 'button', id: 'print-now' }, t('print'));
  printBtn.addEventListener('click', () => window.print());
  const doc = h('div', { class: 'print-doc', id: 'print-doc' }, loading());
  clear(ctx.root, h('div', { class: 'buttons no-print' }, printBtn, back), doc);
  const f = await file();
  const html = await f.blob.text();
  // the stylesheet is taken out before parsing: an inline <style> would be refused by the CSP
  const m = /<style>([\s\S]*?)<\/style>/.exec(html);
  const parsed = new DOMParser().parseFromString(html.replace(/<style>[\s\S]*?<\/style>/g, ''), 'text/html');
  if (!ctx.root.isConnected) return;
  if (m && 'adoptedStyleSheets' in document) {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(`${m[1].replace(/\bbody\b/g, '.print-doc')} .print-doc th[scope="row"]{text-align:left}`);
    document.adoptedStyleSheets = [sheet];
  }
  clear(doc);
  for (const n of parsed.body.childNodes) {
    const copy = copyNode(n);
    if (copy) doc.append(copy);
  }
  document.title = parsed.title || fallbackTitle;
  ctx.root.dataset.loaded = 'print';
}

export async function print(ctx) {
  const p = paramsOf(ctx.query);
  await printable(ctx, `#/reports/quarterly${api.query(p)}`,
    () => api.fetchFile('/v1/reports/quarterly', { ...p, format: 'html' }), t('quarterly_title'));
}
