// Charts drawn as inline SVG: horizontal bars and a line over months.
// Sizes are in viewBox units; the SVG scales to its container (CSS width 100%).
import { s, h } from './ui.js';
import { t } from './i18n.js';

const W = 560;

function clip(text, max) {
  const str = String(text ?? '');
  return str.length > max ? `${str.slice(0, max - 1)}…` : str;
}

function emptyChart(title) {
  return h('figure', { class: 'chart' }, h('figcaption', null, title), h('p', { class: 'muted' }, t('chart_none')));
}

// items [{label, value, title}]; max (default: largest value); format(value) -> text
export function barChart(title, items, { max, format = String, labelChars = 14, kind = '' } = {}) {
  const rows = items.filter((it) => it.value !== null && it.value !== undefined);
  if (!rows.length) return emptyChart(title);
  const top = max ?? Math.max(...rows.map((r) => Number(r.value)), 1);
  const rowH = 24;
  const labelW = 200;
  const valueW = 70;
  const barW = W - labelW - valueW - 10;
  const height = rows.length * rowH + 8;
  const svg = s('svg', { viewBox: `0 0 ${W} ${height}`, class: `bars ${kind}`, role: 'img', 'aria-label': title });
  rows.forEach((r, i) => {
    const y = 4 + i * rowH;
    const v = Math.max(0, Number(r.value));
    const w = top > 0 ? (Math.min(v, top) / top) * barW : 0;
    const g = s('g', { class: 'bar-row' },
      s('title', null, `${r.title || r.label}: ${format(r.value)}`),
      s('text', { x: labelW - 8, y: y + rowH / 2 + 4, 'text-anchor': 'end', class: 'label' }, clip(r.label, labelChars)),
      s('rect', { x: labelW, y: y + 4, width: barW, height: rowH - 8, class: 'track' }),
      s('rect', { x: labelW, y: y + 4, width: w.toFixed(1), height: rowH - 8, class: 'bar' }),
      s('text', { x: labelW + barW + 8, y: y + rowH / 2 + 4, class: 'value' }, format(r.value)));
    svg.append(g);
  });
  return h('figure', { class: 'chart' }, h('figcaption', null, title), svg);
}

// points [{label, value}] in order; values 0..max (default 1, as for rates)
export function lineChart(title, points, { max = 1, format = String, tick = (v) => v } = {}) {
  const pts = points.filter((p) => p.value !== null && p.value !== undefined);
  if (!pts.length) return emptyChart(title);
  const height = 220;
  const left = 48;
  const right = 16;
  const topPad = 14;
  const bottom = 30;
  const plotW = W - left - right;
  const plotH = height - topPad - bottom;
  const n = points.length;
  const x = (i) => left + (n === 1 ? plotW / 2 : (i * plotW) / (n - 1));
  const y = (v) => topPad + plotH - (Math.min(Number(v), max) / max) * plotH;
  const svg = s('svg', { viewBox: `0 0 ${W} ${height}`, class: 'line', role: 'img', 'aria-label': title });
  for (let k = 0; k <= 4; k++) {
    const v = (max * k) / 4;
    svg.append(s('line', { x1: left, x2: W - right, y1: y(v), y2: y(v), class: 'grid' }),
      s('text', { x: left - 6, y: y(v) + 4, 'text-anchor': 'end', class: 'axis' }, tick(v)));
  }
  points.forEach((p, i) => {
    svg.append(s('text', { x: x(i), y: height - 10, 'text-anchor': 'middle', class: 'axis' }, p.short || p.label));
  });
  let d = '';
  points.forEach((p, i) => {
    if (p.value === null || p.value === undefined) return;
    d += `${d ? 'L' : 'M'}${x(i).toFixed(1)},${y(p.value).toFixed(1)}`;
  });
  svg.append(s('path', { d, class: 'series' }));
  points.forEach((p, i) => {
    if (p.value === null || p.value === undefined) return;
    svg.append(s('circle', { cx: x(i).toFixed(1), cy: y(p.value).toFixed(1), r: 3.5, class: 'dot' },
      s('title', null, `${p.label}: ${format(p.value)}${p.note ? ` (${p.note})` : ''}`)));
  });
  return h('figure', { class: 'chart' }, h('figcaption', null, title), svg);
}
