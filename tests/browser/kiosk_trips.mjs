// End-to-end test of trip sign-up at the kiosk and of changing and
// cancelling a trip in the console, in headless Chromium.
//
//   node tests/browser/kiosk_trips.mjs BASE_URL SCREENSHOT_DIR
//       the people and records to use come in TRIPS_TEST as JSON (see
//       tests/integration/74_kiosk_trips_web.t)
//
// A job seeker willing to work in another province sees the open trip in
// plain words, signs up, takes it back and signs up again (portrait
// 1080x1920); one who is not sees why and no sign-up button (landscape
// 1920x1080); county staff change the trip's day and place and cancel it.
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
  process.stderr.write('usage: kiosk_trips.mjs BASE_URL SCREENSHOT_DIR\n');
  process.exit(2);
}
const T = JSON.parse(process.env.TRIPS_TEST || '{}');
const shot = screenshotter(shotDir);
const browser = await launchChromium();

async function step(name, fn) {
  try {
    await fn();
  } catch (e) {
    report(false, name, e.stack || e.message);
  }
}

async function newPage(path, width, height) {
  const ctx = await browser.newContext({ viewport: { width, height }, locale: 'zh-CN', serviceWorkers: 'block' });
  const page = await ctx.newPage();
  recordAnswers(page, 'kiosk_trips.mjs');
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/^Failed to load resource/.test(m.text())) page.errors.push(m.text());
  });
  await page.goto(`${base}${path}`);
  return page;
}

// Nothing wider than the screen, every button a 48x48 px touch target on the
// screen, no text under 16 px (as tests/browser/kiosk.mjs checks).
async function layoutOk(page, label) {
  const m = await page.evaluate(() => {
    const vw = window.innerWidth;
    const shown = (el) => el.offsetParent !== null && getComputedStyle(el).visibility !== 'hidden';
    const buttons = [...document.querySelectorAll('button')].filter(shown).map((b) => b.getBoundingClientRect());
    const texts = [...document.querySelectorAll('main p, main li, main span, main h1, main h2, main button')]
      .filter((el) => shown(el) && el.innerText && el.innerText.trim())
      .map((el) => parseFloat(getComputedStyle(el).fontSize));
    return {
      overflow: document.documentElement.scrollWidth - vw,
      small: buttons.filter((r) => r.width < 48 || r.height < 48).length,
      outside: buttons.filter((r) => r.left < -1 || r.right > vw + 1).length,
      minFont: texts.length ? Math.min(...texts) : 0,
    };
  });
  report(m.overflow <= 0, `${label}: nothing wider than the screen`, m.overflow);
  report(m.small === 0 && m.outside === 0, `${label}: every button at least 48x48 px and on the screen`,
    JSON.stringify({ small: m.small, outside: m.outside }));
  report(m.minFont >= 16, `${label}: no text smaller than 16 px`, m.minFont);
}

async function logIn(page, id, pin) {
  await page.waitForSelector('[data-screen="login_id"]');
  for (const k of id) await page.click(`.keypad [data-key="${k}"]`);
  await page.click('[data-action="next"]');
  await page.waitForSelector('[data-screen="login_pin"]');
  for (const k of pin) await page.click(`.keypad [data-key="${k}"]`);
  await page.click('[data-action="login"]');
  await page.waitForSelector('[data-nav="trips"]', { timeout: 15000 });
}

const card = (page) => page.locator(`[data-screen="trips"] .trip[data-trip="${T.trip_id}"]`);

// ---------- a willing job seeker, portrait ----------
{
  const page = await newPage('/kiosk/', 1080, 1920);
  await step('kiosk: log in', async () => {
    await logIn(page, T.id_number, T.pin);
    report(true, 'kiosk: the job seeker logs in and has a tab for 外出打工');
  });
  await step('kiosk: the trip in plain words', async () => {
    const tab = await page.locator('[data-nav="trips"]').innerText();
    report(tab.includes('外出打工'), 'kiosk: the tab uses the kiosk\'s word 外出打工', tab);
    await page.click('[data-nav="trips"]');
    await page.waitForSelector(`[data-screen="trips"] .trip[data-trip="${T.trip_id}"]`, { timeout: 15000 });
    const txt = await card(page).innerText();
    report(txt.includes(`去${T.province}`), 'kiosk: where the work is', txt);
    report(txt.includes(T.employer), 'kiosk: the employer', txt);
    report(txt.includes(T.job_title) && txt.includes('每月'), 'kiosk: the job and its monthly pay', txt);
    report(txt.includes(`${T.day_words} 从${T.place}坐包车出发`), 'kiosk: when, from where and how they leave, in plain words', txt);
    report(txt.includes(`还有 ${T.places} 个名额`), 'kiosk: the places left', txt);
    report(await page.locator('[data-action="speak"]').count() === 1, 'kiosk: a button reads the screen aloud');
    report(await page.locator('[data-not-willing]').count() === 0, 'kiosk: no explanation for someone who may sign up');
    await layoutOk(page, 'portrait 1080x1920, trips');
    await shot(page, 'kiosk-trips');
  });
  await step('kiosk: sign up', async () => {
    await card(page).locator('[data-action="trip-signup"]').click();
    await page.waitForSelector('[data-screen="trip_confirm"]');
    await shot(page, 'kiosk-trip-confirm');
    await page.click('[data-action="confirm"]');
    await page.waitForSelector('[data-screen="trips"] [data-done="signup"]', { timeout: 15000 });
    const state = await card(page).locator('.trip-state').innerText();
    report(state.includes('已报名'), 'kiosk: signed up in two taps, and the sign-up is shown on the trip', state);
    await shot(page, 'kiosk-trip-signed-up');
  });
  await step('kiosk: withdraw', async () => {
    await card(page).locator('[data-action="trip-withdraw"]').click();
    await page.waitForSelector('[data-screen="trip_withdraw"]');
    await page.click('[data-action="confirm"]');
    await page.waitForSelector('[data-screen="trips"] [data-done="withdraw"]', { timeout: 15000 });
    report(await card(page).locator('.trip-state').count() === 0, 'kiosk: the sign-up is taken back in two taps');
    await card(page).locator('[data-action="trip-signup"]').click();
    await page.waitForSelector('[data-screen="trip_confirm"]');
    await page.click('[data-action="confirm"]');
    await page.waitForSelector('[data-screen="trips"] [data-done="signup"]', { timeout: 15000 });
    report(true, 'kiosk: and signed up again');
  });
  await step('kiosk: large text and English', async () => {
    await page.click('[data-action="large-text"]');
    await layoutOk(page, 'portrait 1080x1920, trips in large text');
    await page.click('[data-action="lang"]');
    await page.waitForSelector('[data-nav="trips"]');
    const tab = await page.locator('[data-nav="trips"]').innerText();
    report(/Work away/.test(tab), 'kiosk: the tab in English', tab);
  });
  report(page.errors.length === 0, 'kiosk (portrait): no script errors', page.errors.join('; '));
  await page.context().close();
}

// ---------- someone who would not work in another province, landscape ----------
{
  const page = await newPage('/kiosk/', 1920, 1080);
  await step('kiosk: not willing', async () => {
    await logIn(page, T.unwilling_id_number, T.pin);
    await page.click('[data-nav="trips"]');
    await page.waitForSelector('[data-screen="trips"] [data-not-willing]', { timeout: 15000 });
    const why = await page.locator('[data-not-willing]').innerText();
    report(why.includes('外省'), 'kiosk: a person not willing to work in another province is told why', why);
    report(await page.locator('[data-action="trip-signup"]').count() === 0, 'kiosk: and sees no sign-up button');
    report(await card(page).count() === 1, 'kiosk: but sees the trip');
    await layoutOk(page, 'landscape 1920x1080, trips');
    await shot(page, 'kiosk-trips-landscape-not-willing');
    await page.click('[data-action="go-me"]');
    await page.waitForSelector('[data-screen="me"]', { timeout: 15000 });
    report(true, 'kiosk: one tap leads to where the wish is changed');
  });
  report(page.errors.length === 0, 'kiosk (landscape): no script errors', page.errors.join('; '));
  await page.context().close();
}

// ---------- the console: change and cancel the trip ----------
{
  const page = await newPage('/console/', 1366, 900);
  const open = async (hash, loaded) => {
    await page.evaluate((hh) => { location.hash = hh; }, hash);
    await page.waitForSelector(`.page[data-loaded="${loaded}"]`, { timeout: 30000 });
  };
  await step('console: change the trip', async () => {
    await page.waitForSelector('#login-form');
    await page.fill('#login-user', T.user);
    await page.fill('#login-pass', T.password);
    await page.click('#login-form button[type=submit]');
    await page.waitForSelector('nav a[href="#/trips"]', { timeout: 30000 });
    await open(`#/trips/${T.trip_id}`, 'trip');
    await page.click('#trip-edit');
    await page.waitForSelector('#trip-form');
    await page.fill('#trip-form input[name="departure_on"]', T.new_day);
    await page.fill('#trip-form input[name="departure_place"]', T.new_place);
    await page.fill('#trip-form input[name="seats"]', '2');
    await page.fill('#trip-form input[name="headcount"]', '3');
    await page.click('dialog button[type=submit]');
    await page.waitForFunction(() => /座位/.test(document.querySelector('dialog .err-slot')?.innerText || ''), null,
      { timeout: 15000 });
    const err = await page.locator('dialog .err-slot').innerText();
    report(/座位/.test(err), 'console: a headcount over the seats is refused, said in the form', err);
    await shot(page, 'console-trip-edit-refused');
    await page.fill('#trip-form input[name="seats"]', String(T.seats));
    await page.fill('#trip-form input[name="headcount"]', String(T.headcount));
    await page.click('dialog button[type=submit]');
    await page.waitForSelector('dialog', { state: 'detached', timeout: 15000 });
    await page.waitForSelector(`.page[data-loaded="trip"] dd:has-text("${T.new_place}")`, { timeout: 15000 });
    report(true, 'console: the new day and place are shown');
    await shot(page, 'console-trip-edited');
  });
  await step('console: cancel the trip', async () => {
    await page.click('#trip-cancel');
    await page.waitForSelector('#trip-cancel-form');
    await page.fill('#trip-cancel-form textarea[name="reason"]', T.reason);
    await page.click('dialog button[type=submit]');
    await page.waitForSelector('dialog', { state: 'detached', timeout: 15000 });
    await page.waitForSelector(`.page[data-loaded="trip"] dd:has-text("${T.reason}")`, { timeout: 15000 });
    report(await page.locator('#trip-edit').count() === 0 && await page.locator('#trip-cancel').count() === 0,
      'console: a cancelled trip shows its reason and offers no more changes');
    await shot(page, 'console-trip-cancelled');
  });
  report(page.errors.length === 0, 'console: no script errors', page.errors.join('; '));
  await page.context().close();
}

await browser.close();
out({ done: true });
