// CSV import of households or workers, with the report of every bad row
// shown as a table (line, column, reason).
import * as api from './api.js';
import { t, getLang, fieldLabel } from './i18n.js';
import { h, clear, table, field, select, section, onSubmit, str, fmtInt, notice, facts } from './ui.js';

// The column as the file names it: the API gives its names as 中文|english|…
function columnName(e) {
  if (!e.column) return fieldLabel(e.field) || '—';
  const names = String(e.column).split('|');
  return getLang() === 'en' ? names[1] || names[0] : names[0];
}

function report(r, ok) {
  const mode = r.mode || 'all_or_nothing';
  const head = ok
    ? notice(r.rejected_rows ? t('import_partly') : t('import_done'), r.rejected_rows ? 'warn' : 'ok')
    : h('div', { class: 'error', role: 'alert' }, t('import_refused'));
  const rows = (r.errors || []).map((e) => ({ ...e }));
  return h('div', { id: 'import-report', dataset: { ok: String(ok) } }, head,
    section(t('import_result'), facts([
      [t('rows'), fmtInt(r.rows ?? 0)], [t('valid_rows'), fmtInt(r.valid_rows ?? 0)], [t('rejected_rows'), fmtInt(r.rejected_rows ?? 0)],
      [t('created'), fmtInt(r.created ?? 0)], [t('updated'), fmtInt(r.updated ?? 0)], [t('unchanged'), fmtInt(r.unchanged ?? 0)],
      [t('encoding'), r.encoding || '—'], [t('import_mode'), mode === 'valid_rows' ? t('import_mode_valid') : t('import_mode_all')],
    ])),
    rows.length ? section(t('bad_rows'), table([
      { label: t('line'), num: true, value: (e) => String(e.line) },
      { label: t('column'), value: (e) => columnName(e) },
      { label: t('problem'), value: (e) => e.message || e.code },
    ], rows, { caption: null })) : null);
}

export async function render(ctx) {
  const errSlot = h('div');
  const out = h('div');
  const fileInput = h('input', { type: 'file', name: 'file', accept: '.csv,text/csv', required: true, id: 'import-file' });
  const form = h('form', { class: 'grid-form', id: 'import-form' },
    field(t('import_kind'), select('kind', [['households', t('import_households')], ['workers', t('import_workers')]], ctx.query.kind || 'households')),
    field(t('import_mode'), select('mode', [['all_or_nothing', t('import_mode_all')], ['valid_rows', t('import_mode_valid')]], 'all_or_nothing')),
    h('div', { class: 'wide' }, field(t('import_file'), fileInput)),
    h('div', { class: 'wide' }, errSlot),
    h('div', { class: 'buttons wide' }, h('button', { type: 'submit' }, t('import_go'))));
  onSubmit(form, errSlot, async (fd) => {
    clear(out);
    const file = fileInput.files[0];
    if (!file) {
      clear(errSlot, h('div', { class: 'error', role: 'alert' }, t('import_choose')));
      return;
    }
    const kind = str(fd, 'kind') === 'workers' ? 'workers' : 'households';
    const r = await api.upload(`/v1/imports/${kind}`, file, { mode: str(fd, 'mode') });
    out.append(report(r.report, r.ok));
  });
  clear(ctx.root, h('h1', null, t('import_title')), h('p', { class: 'muted' }, t('import_hint')), section(t('import_title'), form), out);
}
