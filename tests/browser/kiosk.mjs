// End-to-end test of the kiosk web app in headless Chromium (Debian's
// /usr/bin/chromium driven by playwright-core; no browser is downloaded).
//
//   node tests/browser/kiosk.mjs BASE_URL SCREENSHOT_DIR
//
// The people and jobs to use come in the environment variable KIOSK_TEST as
// JSON: {id, pin, name, tag, desk, phone_masked, locked_id, workshop_id,
// ranger_id}.  Each check is printed as one JSON line {"ok", "name",
// "detail"}; tests/integration/50_kiosk_web.t turns them into TAP.  When the
// test needs the server stopped or started again it prints {"need": "stop"}
// or {"need": "start"} and waits for a line on standard input.  The last line
// is {"done": true}.

import path from 'node:path';
import readline from 'node:readline';
import { launchChromium, recordAnswers, screenshotter } from './harness.mjs';

const [base, shotDir] = process.argv.slice(2);
const T = JSON.parse(process.env.KIOSK_TEST || '{}');
const origin = new URL(base).origin;
let failures = 0;

function report(ok, name, detail) {
  if (!ok) failures += 1;
  process.stdout.write(`${JSON.stringify({ ok: !!ok, name, detail: detail === undefined ? '' : String(detail) })}\n`);
}

const stdinLines = readline.createInterface({ input: process.stdin })[Symbol.asyncIterator]();
async function need(what) {
  process.stdout.write(`${JSON.stringify({ need: what })}\n`);
  const line = await stdinLines.next();
  return line.done ? '' : line.value.trim();
}

const shot = screenshotter(shotDir);
const browser = await launchChromium();

// A fresh profile per context (playwright gives each context its own).
async function newPage(width, height, query, init) {
  const ctx = await browser.newContext({ viewport: { width, height }, locale: 'zh-CN', serviceWorkers: 'block' });
  const page = await ctx.newPage();
  recordAnswers(page, 'kiosk.mjs');
  page.outside = [];
  page.errors = [];
  page.rawProblems = [];
  page.on('request', (req) => {
    const u = req.url();
    if (!u.startsWith(`${origin}/`) && !u.startsWith('data:')) page.outside.push(u);
  });
  page.on('pageerror', (e) => page.errors.push(e.message));
  // 4xx answers (a wrong PIN) are logged by Chromium as "Failed to load resource": expected
  page.on('console', (m) => {
    if (m.type() === 'error' && !/^Failed to load resource/.test(m.text())) page.errors.push(m.text());
  });
  if (init) await page.addInitScript(init);
  page.docResponse = await page.goto(`${base}/kiosk/${query || ''}`);
  await page.waitForSelector('[data-screen="login_id"]');
  return page;
}

const text = (page) => page.evaluate(() => document.body.innerText);
const visible = (page, sel) => page.locator(sel).first().isVisible().catch(() => false);

async function typeKeys(page, keys) {
  for (const k of keys) await page.click(`.keypad [data-key="${k}"]`);
}

async function logIn(page, id, pin) {
  await typeKeys(page, id);
  await page.click('[data-action="next"]');
  await page.waitForSelector('[data-screen="login_pin"]');
  await typeKeys(page, pin);
  await page.click('[data-action="login"]');
}

async function jobsShown(page) {
  await page.waitForSelector('[data-screen="jobs"] .job-card, [data-screen="jobs"] .empty', { timeout: 15000 });
}

async function forgotten(page, label) {
  const s = await page.evaluate(() => ({
    local: window.localStorage.length, session: window.sessionStorage.length, cookie: document.cookie,
    state: window.history.state, screen: document.querySelector('[data-screen]')?.dataset.screen,
  }));
  const body = await text(page);
  report(s.screen === 'login_id', `${label}: the login screen is back`, s.screen);
  report(s.local === 0 && s.session === 0 && s.cookie === '' && s.state === null,
    `${label}: nothing in localStorage, sessionStorage, cookies or history state`, JSON.stringify(s));
  report(!body.includes(T.name) && !body.includes(T.tag), `${label}: no name or job of the person left on the page`);
}

// The layout holds at this size: nothing wider than the screen, every button
// a touch target of 48x48 px or more and inside the screen, readable text,
// and (keypad screens) every key reachable without scrolling.
async function layoutOk(page, label) {
  const m = await page.evaluate(() => {
    const vw = window.innerWidth, vh = window.innerHeight;
    const shown = (el) => el.offsetParent !== null && getComputedStyle(el).visibility !== 'hidden';
    const buttons = [...document.querySelectorAll('button')].filter(shown).map((b) => b.getBoundingClientRect());
    const keys = [...document.querySelectorAll('.keypad [data-key]')].filter(shown).map((b) => b.getBoundingClientRect());
    const texts = [...document.querySelectorAll('main p, main li, main span, main h1, main h2, main h3, main button')]
      .filter((el) => shown(el) && el.innerText && el.innerText.trim())
      .map((el) => parseFloat(getComputedStyle(el).fontSize));
    return {
      overflow: document.documentElement.scrollWidth - vw,
      small: buttons.filter((r) => r.width < 48 || r.height < 48).length,
      outside: buttons.filter((r) => r.left < -1 || r.right > vw + 1).length,
      keysBelow: keys.filter((r) => r.bottom > vh + 1).length,
      keys: keys.length,
      minFont: texts.length ? Math.min(...texts) : 0,
    };
  });
  report(m.overflow <= 0, `${label}: nothing wider than the screen`, m.overflow);
  report(m.small === 0 && m.outside === 0, `${label}: every button at least 48x48 px and on the screen`,
    JSON.stringify({ small: m.small, outside: m.outside }));
  report(m.minFont >= 16, `${label}: no text smaller than 16 px`, m.minFont);
  if (m.keys) report(m.keysBelow === 0, `${label}: every key of the keypad on the screen without scrolling`, m.keysBelow);
}

async function step(name, fn) {
  try {
    await fn();
  } catch (e) {
    report(false, name, e && e.message ? e.message.split('\n')[0] : e);
  }
}

/* ---------- a whole visit, portrait 1080x1920 ---------- */

async function visit() {
  const speechLog = () => {
    window.__spoken = [];
    if (window.speechSynthesis) {
      window.speechSynthesis.speak = (u) => { window.__spoken.push({ text: u.text, lang: u.lang }); };
    }
  };
  const page = await newPage(1080, 1920, '?speech=1', speechLog);
  const headers = page.docResponse.headers();
  report(/default-src 'self'/.test(headers['content-security-policy'] || ''), 'the page is served with Content-Security-Policy default-src \'self\'',
    headers['content-security-policy']);
  await layoutOk(page, 'portrait 1080x1920, ID keypad');
  await shot(page, 'login');

  await step('a wrong PIN says so, with the tries left', async () => {
    await logIn(page, T.id, '000000');
    await page.waitForSelector('.message.bad');
    const msg = await page.locator('.message').innerText();
    report(msg.includes('密码不对') && msg.includes('还可以再试 4 次'), 'a wrong PIN says so, with the tries left', msg);
    await shot(page, 'wrong-pin');
  });

  await step('log in', async () => {
    await page.click('[data-action="back"]');
    await page.click('.keypad [data-key="clear"]');
    await logIn(page, T.id, T.pin);
    await jobsShown(page);
    await page.waitForTimeout(300);
    report(true, 'log in with the on-screen keypad: ID number, then PIN');
  });

  await step('jobs with reasons', async () => {
    const cards = await page.$$eval('.job-card', (els) => els.map((el) => ({
      id: Number(el.dataset.vacancy), kind: el.dataset.kind, title: el.querySelector('.job-title').innerText,
      reasons: el.querySelectorAll('.reason').length, wage: el.querySelector('.wage-figure')?.innerText || '',
      badge: el.querySelector('[data-kind-badge]')?.innerText || '', km: el.dataset.km,
      housing: el.querySelector('.housing')?.innerText || '',
    })));
    report(cards.length > 0, 'the jobs that fit are listed', cards.length);
    report(cards.some((c) => c.title.includes(T.tag)), 'the jobs seeded for this person are among them');
    report(cards.every((c) => c.reasons >= 1 && c.reasons <= 3), 'every job shows its top reasons (1 to 3)',
      JSON.stringify(cards.map((c) => c.reasons)));
    report(cards.every((c) => /\d/.test(c.wage) && c.badge && c.housing), 'every job shows wage, kind badge and housing');
    report(cards.some((c) => c.km !== ''), 'distances are shown');
    const small = await page.$$eval('button', (els) => els.filter((b) => b.offsetParent !== null)
      .map((b) => b.getBoundingClientRect()).filter((r) => r.width < 48 || r.height < 48).length);
    report(small === 0, 'every button is at least 48x48 px', small);
    await layoutOk(page, 'portrait 1080x1920, jobs');
    const body = await text(page);
    report(!body.includes(T.id), 'the full ID number is not on the page');
    await shot(page, 'jobs');
  });

  await step('filter by kind and distance', async () => {
    await page.click('.chip[data-kind="forest_ranger"]');
    await page.waitForSelector('.chip.active[data-kind="forest_ranger"]');
    await jobsShown(page);
    const kinds = await page.$$eval('.job-card', (els) => els.map((el) => el.dataset.kind));
    report(kinds.length > 0 && kinds.every((k) => k === 'forest_ranger'), 'filtered by kind: only 护林员 jobs', kinds.join(','));
    report(await visible(page, `.job-card[data-vacancy="${T.ranger_id}"]`), 'the seeded ranger job is there');
    await shot(page, 'filter-kind');
    await page.click('.chip[data-kind=""]');
    await page.waitForSelector('.chip.active[data-kind=""]');
    await page.click('.chip[data-km="5"]');
    await page.waitForSelector('.chip.active[data-km="5"]');
    await jobsShown(page);
    const kms = await page.$$eval('.job-card', (els) => els.map((el) => Number(el.dataset.km)));
    report(kms.length > 0 && kms.every((k) => k <= 5), 'filtered by distance: all within 5 km', kms.join(','));
    await shot(page, 'filter-distance');
    await page.click('.chip[data-km="0"]');
    await page.waitForSelector('.chip.active[data-km="0"]');
    await jobsShown(page);
  });

  await step('job detail', async () => {
    await page.click(`.job-card[data-vacancy="${T.workshop_id}"]`);
    await page.waitForSelector('.job-detail');
    const d = await page.locator('.job-detail').innerText();
    report(d.includes(T.tag) && d.includes('联系电话') && /还招 \d+ 人/.test(d), 'the detail shows the job, places left and the phone to call', d.slice(0, 200));
    const n = await page.$$eval('.job-detail .reason', (els) => els.length);
    report(n >= 3, 'and all its reasons', n);
    await shot(page, 'detail');
  });

  await step('apply with a confirmation step', async () => {
    await page.click('[data-action="apply"]');
    await page.waitForSelector('[data-screen="confirm"]');
    report(await visible(page, '[data-action="confirm"]'), 'applying asks for confirmation first');
    await shot(page, 'confirm');
    await page.click('[data-action="confirm"]');
    await page.waitForSelector('[data-screen="applied"]');
    const msg = await page.locator('[data-screen="applied"]').innerText();
    report(msg.includes('报名成功'), 'the application is made', msg.slice(0, 80));
    await shot(page, 'applied');
  });

  await step('print slip', async () => {
    await page.evaluate(() => { window.__printed = 0; window.print = () => { window.__printed += 1; }; });
    await page.click('[data-action="print-slip"]');
    await page.waitForSelector('.slip');
    await page.waitForFunction(() => window.__printed > 0, null, { timeout: 5000 });
    report(true, 'the slip opens the print dialog');
    await page.emulateMedia({ media: 'print' });
    const p = await page.evaluate(() => ({
      top: getComputedStyle(document.getElementById('topbar')).display,
      nav: getComputedStyle(document.getElementById('nav')).display,
      buttons: [...document.querySelectorAll('.btn')].filter((b) => getComputedStyle(b).display !== 'none').length,
      slip: document.querySelector('.slip').innerText,
      slipShown: getComputedStyle(document.querySelector('.slip')).display !== 'none',
    }));
    report(p.top === 'none' && p.nav === 'none' && p.buttons === 0 && p.slipShown, 'the print view shows the slip alone', JSON.stringify({ ...p, slip: undefined }));
    report(p.slip.includes(T.tag) && p.slip.includes('身份证') && p.slip.includes('健康证') && p.slip.includes(T.desk),
      'the slip has the job, what to bring (ID card, the certificates asked for) and the service desk', p.slip.slice(0, 300));
    report(/\*{8}/.test(p.slip) && !p.slip.includes(T.id), 'the slip shows the ID number masked');
    await shot(page, 'slip-print', { fullPage: true });
    await page.pdf({ path: path.join(shotDir, 'slip.pdf'), format: 'A4' });
    await page.emulateMedia({ media: 'screen' });
  });

  await step('my applications', async () => {
    await page.click('[data-nav="apps"]');
    await page.waitForSelector('[data-screen="apps"] .app-card');
    const card = page.locator(`.app-card:has-text("${T.tag}")`).first();
    const s = await card.innerText();
    report(s.includes('已报名'), 'my applications show the new one and its status', s.slice(0, 120));
    await shot(page, 'applications');
  });

  await step('my details', async () => {
    await page.click('[data-nav="me"]');
    await page.waitForSelector('[data-screen="me"] .me');
    const s = await page.locator('.me').innerText();
    report(/\d{6}\*{11}[0-9X]/.test(s) && !s.includes(T.id), 'my details show the ID number masked');
    report(s.includes(T.phone_masked), 'and the phone masked', T.phone_masked);
    report(s.includes(T.desk) && s.includes('服务台'), 'and which service desk changes them');
    await shot(page, 'profile');
  });

  await step('read aloud', async () => {
    await page.click('[data-action="speak"]');
    const spoken = await page.evaluate(() => window.__spoken);
    report(spoken.length === 1 && spoken[0].text.includes('我的信息') && spoken[0].lang === 'zh-CN',
      'the speaker button reads the screen aloud in Chinese', JSON.stringify(spoken).slice(0, 120));
  });

  await step('switch language', async () => {
    await page.click('[data-action="lang"]');
    await page.waitForSelector('[data-nav="me"]:has-text("My details")');
    report((await page.locator('.me h1').innerText()) === 'My details', 'English at a touch');
    await page.click('[data-nav="jobs"]');
    await page.waitForSelector('h1:has-text("Jobs that suit you")');
    await jobsShown(page);
    const reasons = await page.$$eval('.job-card .reason', (els) => els.map((e) => e.innerText));
    report(reasons.length > 0 && reasons.every((r) => /[A-Za-z]{3}/.test(r)),
      'the reasons come in English too', reasons.slice(0, 2).join(' | '));
    await shot(page, 'english');
    await page.click('[data-action="lang"]');
    await page.waitForSelector('h1:has-text("适合你的工作")');
    await jobsShown(page);
  });

  await step('log out', async () => {
    await page.click('[data-action="logout"]');
    await page.waitForSelector('[data-screen="login_id"]');
    await forgotten(page, 'log out');
    await shot(page, 'logged-out');
  });

  report(page.outside.length === 0, 'no request to any other host', page.outside.join(' '));
  report(page.errors.length === 0, 'no script errors or blocked resources', page.errors.join(' | '));
  await page.context().close();
}

/* ---------- idle: countdown, keep going, then the end (landscape 1920x1080) ---------- */

async function idle() {
  const page = await newPage(1920, 1080, '?idle=3&countdown=5');
  await step('idle logout', async () => {
    await layoutOk(page, 'landscape 1920x1080, ID keypad');
    await shot(page, 'landscape-login');
    await typeKeys(page, T.id);
    await page.click('[data-action="next"]');
    await page.waitForSelector('[data-screen="login_pin"]');
    await layoutOk(page, 'landscape 1920x1080, PIN keypad');
    await typeKeys(page, T.pin);
    await page.click('[data-action="login"]');
    await jobsShown(page);
    await layoutOk(page, 'landscape 1920x1080, jobs');
    await shot(page, 'landscape-jobs');
    await page.waitForSelector('#countdown:not([hidden]) .countdown-num', { timeout: 8000 });
    report(true, 'after the idle time a countdown appears');
    await shot(page, 'countdown');
    await page.click('[data-action="continue"]');
    report(await page.locator('#countdown').isHidden() && await visible(page, '.job-card'), 'a touch keeps the session going');
    await page.waitForSelector('#countdown:not([hidden])', { timeout: 10000 });
    await page.waitForSelector('[data-screen="login_id"]', { timeout: 10000 });
    report(await page.locator('#countdown').isHidden(), 'when the countdown runs out the session ends');
    await forgotten(page, 'idle logout');
    await shot(page, 'idle-logged-out');
    await typeKeys(page, T.id.slice(0, 8));
    await page.waitForFunction(() => !/\d/.test(document.querySelector('[data-entry="id"]').textContent), null, { timeout: 10000 });
    report(true, 'a half-typed ID number left at the kiosk is cleared after the idle time');
  });
  await page.context().close();
}

/* ---------- five wrong PINs lock it ---------- */

async function lockout() {
  const page = await newPage(1080, 1920, '');
  await step('lockout', async () => {
    let msg = '';
    for (let i = 1; i <= 5; i += 1) {
      if (i > 1) {
        if (await visible(page, '[data-screen="login_pin"]')) await page.click('[data-action="back"]');
        await page.click('.keypad [data-key="clear"]');
      }
      await logIn(page, T.locked_id, '999999');
      await page.waitForSelector('.message.bad');
      msg = await page.locator('.message').innerText();
      if (i === 4) report(msg.includes('还可以再试 1 次'), 'the fourth wrong PIN leaves one try', msg);
    }
    report(msg.includes('请到服务台重置密码'), 'the fifth locks the PIN: see the service desk', msg);
    await shot(page, 'locked');
  });
  await page.context().close();
}

/* ---------- the server stops in the middle of a session ---------- */

async function outage() {
  const page = await newPage(1080, 1920, '');
  await step('server stopped mid-session', async () => {
    await logIn(page, T.id, T.pin);
    await jobsShown(page);
    const answer = await need('stop');
    report(answer === 'stopped', 'the server is stopped', answer);
    await page.click('[data-nav="apps"]');
    await page.waitForSelector('#net-banner:not([hidden])', { timeout: 15000 });
    const body = await text(page);
    report(body.includes('正在自动重试'), 'a friendly message says it is retrying', body.slice(0, 200));
    report(!/[{}]|"code"|problem|Error|undefined|stack/i.test(body), 'no raw JSON, error or stack trace on the page');
    await shot(page, 'server-down');
    const again = await need('start');
    report(again === 'started', 'the server is back', again);
    await page.waitForSelector('[data-screen="apps"] .app-card', { timeout: 20000 });
    report(await page.locator('#net-banner').isHidden(), 'the page recovers by itself and the notice goes');
    await shot(page, 'server-back');
    const card = `.app-card[data-status="applied"]:has-text("${T.tag}")`;
    await page.click(`${card} [data-action="withdraw"]`);
    await page.waitForSelector(`${card} [data-action="withdraw-yes"]`);
    await shot(page, 'withdraw-confirm');
    await page.click(`${card} [data-action="withdraw-yes"]`);
    await page.waitForSelector(`.app-card[data-status="withdrawn"]:has-text("${T.tag}")`);
    report((await page.locator('.message').innerText()).includes('已经撤回'), 'an application can be withdrawn, after confirming');
    await page.click('[data-action="logout"]');
    await page.waitForSelector('[data-screen="login_id"]');
  });
  await page.context().close();
}

try {
  await visit();
  await idle();
  await lockout();
  await outage();
} catch (e) {
  report(false, 'the browser test ran to the end', e && e.stack ? e.stack.split('\n').slice(0, 3).join(' ') : e);
} finally {
  await browser.close();
}
process.stdout.write(`${JSON.stringify({ done: true, failures })}\n`);
process.exit(0);
