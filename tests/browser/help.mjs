// A household asking for help: a person signs in at the kiosk, taps 求助 and
// a reason, and is told when staff will come; county staff then find the
// request among the console's early-warning visits, and read the fairness
// page with its chart.  Prints one JSON line per check ({ok, name, detail})
// and {done: true} at the end, for tests/integration/59_help_web.t.
//
//   node help.mjs BASE_URL SCREENSHOT_DIR   (fixture in $HELP_TEST as JSON)

import { launchChromium, recordAnswers, screenshotter } from './harness.mjs';

const out = (obj) => process.stdout.write(`${JSON.stringify(obj)}\n`);
const report = (ok, name, detail) => out({ ok: Boolean(ok), name, detail: detail === undefined ? '' : String(detail) });

const [base, shotDir] = process.argv.slice(2);
if (!base || !shotDir) {
  process.stderr.write('usage: help.mjs BASE_URL SCREENSHOT_DIR\n');
  process.exit(2);
}
const T = JSON.parse(process.env.HELP_TEST || '{}');
const shot = screenshotter(shotDir);
const browser = await launchChromium();

async function newPage(path, width, height) {
  const ctx = await browser.newContext({ viewport: { width, height }, locale: 'zh-CN', serviceWorkers: 'block' });
  const page = await ctx.newPage();
  recordAnswers(page, 'help.mjs');
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(e.message));
  await page.goto(`${base}${path}`);
  return page;
}

async function step(name, fn) {
  try {
    await fn();
  } catch (e) {
    report(false, name, e.stack || e.message);
  }
}

// ---------- the kiosk ----------
const kiosk = await newPage('/kiosk/', 1080, 1920);
await step('kiosk: ask for help', async () => {
  await kiosk.waitForSelector('[data-screen="login_id"]');
  for (const k of T.id_number) await kiosk.click(`.keypad [data-key="${k}"]`);
  await kiosk.click('[data-action="next"]');
  await kiosk.waitForSelector('[data-screen="login_pin"]');
  for (const k of T.pin) await kiosk.click(`.keypad [data-key="${k}"]`);
  await kiosk.click('[data-action="login"]');
  await kiosk.waitForSelector('[data-screen="jobs"]', { timeout: 15000 });
  await kiosk.click('button[data-nav="help"]');
  await kiosk.waitForSelector('[data-screen="help"]');
  const choices = await kiosk.locator('[data-help]').count();
  report(choices === 4, 'the help screen offers four reasons', choices);
  await shot(kiosk, 'kiosk-help');
  await kiosk.click('[data-help="lost_job"]');
  await kiosk.waitForSelector('[data-screen="help_done"]', { timeout: 10000 });
  const text = await kiosk.locator('[data-screen="help_done"]').innerText();
  report(text.includes('已收到你的求助'), 'the person is told the request arrived', text);
  report(text.includes(T.due_on), 'and by when staff will come', text);
  report(!/监测|零就业/.test(text), 'without a word on the household\'s status', text);
  await shot(kiosk, 'kiosk-help-done');
  report(kiosk.errors.length === 0, 'no script errors at the kiosk', kiosk.errors.join('; '));
});

// ---------- the console ----------
const cons = await newPage('/console/', 1366, 900);
await step('console: the request among the visits', async () => {
  await cons.waitForSelector('#login-form');
  await cons.fill('#login-user', T.user);
  await cons.fill('#login-pass', T.password);
  await cons.click('#login-form button[type=submit]');
  await cons.waitForSelector('#nav');
  await cons.goto(`${base}/console/#/tasks?status=open&household_id=${T.household_id}`);
  await cons.waitForSelector('#main table tbody tr', { timeout: 15000 });
  const rows = await cons.locator('#main table tbody tr').allInnerTexts();
  const row = rows.find((r) => r.includes('农户主动申请'));
  report(Boolean(row), 'the console lists the household\'s request as 农户主动申请', rows.join(' | '));
  report(row && row.includes('没有工作了'), 'with the reason the person gave', row);
  report(row && row.includes(T.due_on), 'due when the kiosk said', row);
  await shot(cons, 'console-task');
});
await step('console: the fairness page', async () => {
  await cons.click('#nav a[data-route="reports/fairness"]');
  await cons.waitForSelector('.page[data-loaded="fairness"]', { timeout: 30000 });
  const dots = await cons.locator('#fairness-chart .interval').count();
  report(dots >= 1, 'the chart draws an interval per group', dots);
  const rows = await cons.locator('#fairness-table tbody tr').count();
  report(rows >= 1, 'and the table a row per group', rows);
  await shot(cons, 'console-fairness');
  report(cons.errors.length === 0, 'no script errors in the console', cons.errors.join('; '));
});

await browser.close();
out({ done: true });
