// The labour export pages of the staff console in headless Chromium: the
// list of trips with the panel of workers out of province, one trip's roster
// filled by the allocation engine (households with nobody employed first),
// a check-in at departure, in Chinese and in English.
//
//   node tests/browser/export.mjs BASE_URL SCREENSHOT_DIR
//       the people and records to use come in EXPORT_TEST as JSON (see
//       tests/integration/57_export_web.t)
//
// Each check is printed as one JSON line {"ok", "name", "detail"}; the last
// line is {"done": true}.

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
  process.stderr.write('usage: export.mjs BASE_URL SCREENSHOT_DIR\n');
  process.exit(2);
}
const T = JSON.parse(process.env.EXPORT_TEST || '{}');
const shot = screenshotter(shotDir);
const browser = await launchChromium();

async function open(page, hash, loaded) {
  await page.evaluate((hh) => { location.hash = hh; }, hash);
  await page.waitForSelector(`.page[data-loaded="${loaded}"]`, { timeout: 30000 });
}

try {
  // The page's clock at half past midnight of today in China, when the date
  // in UTC is still yesterday's: the trip departs today all the same.
  const china = Date.now() + 8 * 3600 * 1000;
  const clockAt = china - (china % 86400000) + 30 * 60 * 1000 - 8 * 3600 * 1000;
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'zh-CN', serviceWorkers: 'block', clockAt });
  const page = await ctx.newPage();
  recordAnswers(page, 'export.mjs');
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${base}/console/`);
  await page.waitForSelector('#login-form');
  await page.fill('#login-user', T.user);
  await page.fill('#login-pass', T.password);
  await page.click('#login-form button[type=submit]');
  await page.waitForSelector('nav a[href="#/trips"]', { timeout: 30000 });
  report(true, 'the console offers labour export in its menu');

  await open(page, '#/trips', 'trips');
  const listed = await page.locator(`a[href="#/trips/${T.trip_id}"]`).count();
  report(listed === 1, 'the trip is listed', listed);
  const panel = await page.locator('#out-of-province').textContent();
  report(panel.includes('省外务工人员'), 'with the panel of workers out of province', panel.slice(0, 80));
  await shot(page, 'trips');

  await open(page, `#/trips/${T.trip_id}`, 'trip');
  let rows = await page.locator('#trip-roster tbody tr').count();
  report(rows === T.signups, 'the roster lists every sign-up', rows);
  await shot(page, 'trip-signed-up');

  await page.click('#trip-fill');
  await page.waitForSelector('#trip-roster tr.state-selected', { timeout: 120000 });
  await page.waitForSelector('.page[data-loaded="trip"]');
  const selected = await page.locator('#trip-roster tr.state-selected').count();
  report(selected === T.headcount, 'filling the roster selects the headcount', selected);
  const waiting = await page.locator('#trip-roster tr.state-waitlisted').count();
  report(waiting === T.signups - T.headcount, 'and puts the others on the waiting list', waiting);
  const zero = await page.locator('#trip-roster tr.state-selected', { hasText: T.zero_name }).count();
  report(zero === 1, 'the worker of the household with nobody employed is on the roster', T.zero_name);
  const why = await page.locator('#trip-roster tr.state-waitlisted').first().textContent();
  report(why.includes('候补'), 'a waiting person is told why', why);
  await shot(page, 'trip-roster-filled');

  const checkin = page.locator('#trip-roster tr.state-selected button[data-signup]').first();
  await checkin.click();
  await page.waitForSelector('#trip-roster td:has-text("已登车")', { timeout: 10000 });
  report(true, 'a person checks in at departure');
  await shot(page, 'trip-checked-in');

  await page.click('#lang-switch');
  await open(page, `#/trips/${T.trip_id}`, 'trip');
  const en = await page.locator('#trip-roster').textContent();
  report(/Roster/.test(en) && /Waiting list/.test(en), 'the roster in English', en.slice(0, 80));
  await shot(page, 'trip-roster-english');
  report(errors.length === 0, 'no script errors', errors.join('; '));
} catch (e) {
  report(false, 'the browser test ran without an exception', e && e.stack ? e.stack : e);
} finally {
  await browser.close();
  out({ done: true });
}
