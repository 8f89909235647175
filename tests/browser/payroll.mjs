// The work-relief payroll in the staff console, in headless Chromium: county
// staff open a project's payroll page, record a worker's attendance for a
// month, compute the month's pay sheet and approve it (which posts the
// 7-day notice).
//
//   node tests/browser/payroll.mjs BASE_URL SCREENSHOT_DIR
//       the people and records come in PAYROLL_TEST as JSON (see
//       tests/integration/58_payroll_web.t)
//
// Each check is one JSON line {"ok", "name", "detail"}; the last line is
// {"done": true}.

import { launchChromium, recordAnswers, screenshotter } from './harness.mjs';

function out(obj) {
  process.stdout.write(`${JSON.stringify(obj)}\n`);
}
function report(ok, name, detail) {
  out({ ok: Boolean(ok), name, detail: detail === undefined ? '' : String(detail) });
  return Boolean(ok);
}

const [base, shotDir] = process.argv.slice(2);
if (!base || !shotDir) {
  process.stderr.write('usage: payroll.mjs BASE_URL SCREENSHOT_DIR\n');
  process.exit(2);
}
const T = JSON.parse(process.env.PAYROLL_TEST || '{}');
const shot = screenshotter(shotDir);
const browser = await launchChromium();
const ctx = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'zh-CN', serviceWorkers: 'block' });
const page = await ctx.newPage();
recordAnswers(page, 'payroll.mjs');
const errors = [];
page.on('pageerror', (e) => errors.push(e.message));

async function step(name, fn) {
  try {
    await fn();
  } catch (e) {
    await shot(page, `${name}-failed`).catch(() => {});
    report(false, name, e.stack || e.message);
  }
}

await step('login', async () => {
  await page.goto(`${base}/console/`);
  await page.waitForSelector('#login-form');
  await page.fill('#login-user', T.user);
  await page.fill('#login-pass', T.password);
  await page.click('#login-form button[type=submit]');
  await page.waitForSelector('#nav');
  report(true, 'county staff signed in');
});

await step('project', async () => {
  await page.evaluate((hh) => { location.hash = hh; }, `#/projects/${T.project_id}`);
  await page.waitForSelector('#project-payroll', { timeout: 30000 });
  await shot(page, 'project');
  await page.click('#project-payroll');
  await page.waitForSelector('.page[data-loaded="payroll"]', { timeout: 30000 });
  // the month of the fixture
  await page.fill('#payroll-month input[name=month]', T.month);
  await page.click('#payroll-month button[type=submit]');
  await page.waitForFunction((m) => location.hash.includes(`month=${m}`), T.month);
  await page.waitForSelector(`#roster .days[data-worker="${T.worker_b}"]`, { timeout: 30000 });
  const rows = await page.locator('#roster tbody tr').count();
  await shot(page, 'payroll-page');
  report(rows === 2, 'the roster lists the project\'s two workers', rows);
  const a = await page.textContent(`#roster .days[data-worker="${T.worker_a}"]`);
  report(Number(a) === T.days_a, 'with the attendance already recorded', a);
});

await step('attendance', async () => {
  await page.selectOption('#attendance-form select[name=worker_id]', String(T.worker_b));
  await page.fill('#attendance-form input[name=days]', String(T.days_b));
  await shot(page, 'attendance-filled');
  await page.click('#attendance-form button[type=submit]');
  await page.waitForFunction(([w, d]) => {
    const el = document.querySelector(`#roster .days[data-worker="${w}"]`);
    return el && Number(el.textContent) === d;
  }, [T.worker_b, T.days_b], { timeout: 15000 });
  await shot(page, 'attendance-recorded');
  report(true, 'attendance recorded in the console shows on the roster', T.days_b);
});

await step('compute', async () => {
  await page.click('#sheet-compute');
  await page.waitForSelector('#sheet-total', { timeout: 15000 });
  const total = Number((await page.textContent('#sheet-total')).replace(/[^0-9.]/g, ''));
  await shot(page, 'sheet-computed');
  report(total === T.expected_total, 'the pay sheet is days × the agreed rate', total);
});

await step('approve', async () => {
  await page.click('#sheet-approve');
  await page.waitForSelector('#sheet-release', { timeout: 15000 });
  const status = await page.textContent('#sheet-status');
  await shot(page, 'sheet-approved');
  report(/公示/.test(status), 'approving posts the notice', status);
  report((await page.locator('#sheet-approve').count()) === 0, 'and it cannot be approved twice');
});

report(errors.length === 0, 'no script errors on the page', errors.join('; '));
await browser.close();
out({ done: true });
