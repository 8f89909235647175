// Accounts in the console, a vacancy's place, and the kiosk's read-aloud
// button, large text and the seeker's own wishes, in headless Chromium.
//
//   node tests/browser/reach.mjs BASE_URL SCREENSHOT_DIR
//       the people and records to use come in REACH_TEST as JSON
//       (see tests/integration/52_reach_web.t)
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
  process.stderr.write('usage: reach.mjs BASE_URL SCREENSHOT_DIR\n');
  process.exit(2);
}
const origin = new URL(base).origin;
const T = JSON.parse(process.env.REACH_TEST || '{}');
const shot = screenshotter(shotDir);
const browser = await launchChromium();

async function newPage(path, width, height, init) {
  const ctx = await browser.newContext({ viewport: { width, height }, locale: 'zh-CN', serviceWorkers: 'block' });
  const page = await ctx.newPage();
  recordAnswers(page, 'reach.mjs');
  page.outside = [];
  page.errors = [];
  page.on('request', (req) => {
    const u = req.url();
    if (!u.startsWith(`${origin}/`) && !u.startsWith('data:') && !u.startsWith('blob:')) page.outside.push(u);
  });
  page.on('pageerror', (e) => page.errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/^Failed to load resource/.test(m.text())) page.errors.push(m.text());
  });
  if (init) await page.addInitScript(init);
  await page.goto(`${base}${path}`);
  return page;
}

async function step(name, fn) {
  try {
    await fn();
  } catch (e) {
    report(false, name, e && e.message ? e.message.split('\n')[0] : e);
  }
}

async function consoleLogin(page, user, password) {
  await page.waitForSelector('#login-form');
  await page.fill('#login-user', user);
  await page.fill('#login-pass', password);
  await page.click('#login-form button[type=submit]');
}

async function open(page, hash, loaded) {
  await page.evaluate((hh) => { location.hash = hh; }, hash);
  if (loaded) await page.waitForSelector(`.page[data-loaded="${loaded}"]`, { timeout: 30000 });
}

/* ---------- accounts in the console ---------- */

async function accounts() {
  const page = await newPage('/console/', 1366, 900);
  const user = `${T.tag}.s`;
  let password = null;
  await step('administrator signs in', async () => {
    await consoleLogin(page, T.admin_user, T.admin_password);
    await page.waitForSelector('#nav a[data-route="accounts"]');
    report(true, 'the menu has 账号 for an administrator');
  });
  await step('create an account', async () => {
    await open(page, '#/accounts/new', 'account-form');
    await page.fill('#account-form input[name=username]', user);
    await page.fill('#account-form input[name=display_name]', '测试站员');
    await page.selectOption('#account-form select[name=role]', 'site_staff');
    await page.check(`#account-sites input[value="${T.site_id}"]`);
    await page.click('#account-form button[type=submit]');
    await page.waitForSelector('#new-password .secret');
    password = (await page.textContent('#new-password .secret')).trim();
    report(/^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$/.test(password), 'creating an account shows its password once', password.length);
    report((await page.textContent('#new-password')).includes('只显示这一次'), 'saying it is shown this once');
    await shot(page, 'account-created');
  });
  await step('the new account signs in', async () => {
    const other = await newPage('/console/', 1366, 900);
    await consoleLogin(other, user, password);
    await other.waitForSelector('#user');
    report((await other.textContent('#user')) === user, 'the new account signs in to the console with that password');
    report(!(await other.$('#nav a[data-route="accounts"]')), 'site staff have no 账号 menu');
    await other.context().close();
  });
  let id = null;
  await step('list and open it', async () => {
    await open(page, `#/accounts?q=${T.tag}`, 'accounts');
    await page.waitForSelector(`a:has-text("${user}")`);
    report(true, 'the account is listed');
    await page.click(`a:has-text("${user}")`);
    await page.waitForSelector('.page[data-loaded="account"]');
    id = Number((await page.evaluate(() => location.hash)).split('/').pop());
    // the history is read after the page itself: wait for its rows
    await page.waitForFunction(() => [...document.querySelectorAll('#sign-ins tbody tr')]
      .some((e) => e.innerText.includes('登录成功')), null, { timeout: 15000 }).catch(() => {});
    const rows = await page.$$eval('#sign-ins tbody tr', (els) => els.map((e) => e.innerText));
    report(rows.length >= 1 && rows[0].includes('登录成功'), 'its sign-in history shows the sign-in', rows[0]);
    await shot(page, 'account');
  });
  await step('reset the password', async () => {
    await page.click('#reset-password');
    await page.waitForSelector('#new-password .secret');
    const again = (await page.textContent('#new-password .secret')).trim();
    report(again !== password && again.length === 14, 'resetting shows a new password');
    password = again;
  });
  await step('lock and unlock', async () => {
    await page.click('#lock-account');
    await page.waitForSelector('#unlock-account');
    report((await page.textContent('#account-status')).includes('已停用'), 'locking shows the account as 已停用');
    const other = await newPage('/console/', 1366, 900);
    await consoleLogin(other, user, password);
    await other.waitForSelector('#login-form .error, #login-form [role=alert]', { timeout: 10000 });
    report(!(await other.$('#user')), 'a locked account cannot sign in');
    await other.context().close();
    await shot(page, 'account-locked');
    await page.click('#unlock-account');
    await page.waitForSelector('#lock-account');
    report(true, 'and unlocking opens it again');
  });
  await step('a broker key, shown once', async () => {
    await open(page, '#/brokers', 'brokers');
    await page.fill('#broker-form input[name=name]', `${T.tag} 劳务`);
    await page.click('#broker-form button[type=submit]');
    await page.waitForSelector('.page[data-loaded="broker-keys"]');
    await page.click('#create-key');
    await page.waitForSelector('#new-key .secret');
    const key = (await page.textContent('#new-key .secret')).trim();
    report(/^lyb_/.test(key), 'a new key for a broker is shown once', key.slice(0, 4));
    await shot(page, 'broker-key');
  });
  report(page.outside.length === 0, 'the console fetched nothing from other hosts', page.outside.join(' '));
  report(page.errors.length === 0, 'and had no script errors', page.errors.join(' | '));
  out({ got: { account_id: id } });
  return page;
}

/* ---------- a vacancy's place ---------- */

async function vacancyPlace(page) {
  await step('the vacancy form has a place', async () => {
    await open(page, `#/vacancies/new?employer_id=${T.employer_id}`, 'vacancy-form');
    report(await page.isVisible('#vacancy-place'), 'the vacancy form has a 工作地点 section');
    await page.fill('#vacancy-form input[name=title]', `${T.tag}绣花工`);
    const county = await page.$('#vacancy-form select[name=county_code]');
    await county.selectOption(String(T.county_code));
    await page.fill('#place-address', `${T.tag} 车间`);
    const option = await page.$eval('#place-pick', (sel, name) => [...sel.options].find((o) => o.dataset.name === name)?.value, T.site_name);
    await page.selectOption('#place-pick', option);
    report(await page.inputValue('#place-lat') === '23.4412' && await page.inputValue('#place-lon') === '104.6735',
      'choosing a known site fills its coordinates');
    await page.waitForSelector('#place-nearest li');
    const near = await page.textContent('#place-nearest');
    report(near.includes(T.site_name) && /0(\.0)? 公里/.test(near), 'the nearest sites are shown with their distance as a check', near.slice(0, 120));
    report((await page.textContent('#place-seat')).includes('县城'), 'and the nearest county seat');
    await page.fill('#place-lat', '25.0');
    await page.waitForFunction((n) => !document.querySelector('#place-nearest')?.textContent.includes(`${n} 0`), T.site_name);
    const moved = await page.textContent('#place-nearest');
    report(/\d{2,}(\.\d)? 公里/.test(moved), 'typing other coordinates shows how far they are', moved.slice(0, 80));
    await page.fill('#place-lat', '23.4412');
    await shot(page, 'vacancy-place');
  });
  await step('post it', async () => {
    await page.fill('#vacancy-form input[name=headcount]', '3');
    await page.fill('#vacancy-form input[name=wage_min]', '2600');
    await page.fill('#vacancy-form input[name=wage_max]', '3400');
    const box = page.locator('[data-picker="occupation_code"]');
    await box.locator('input[type=search]').fill('砌筑工');
    const opt = box.locator('[role=option]', { hasText: '6-29-01-01' }).first();
    await opt.waitFor({ timeout: 10000 });
    await opt.click();
    await page.click('#vacancy-form button[type=submit]');
    await page.waitForSelector('#vacancy-place-line', { timeout: 15000 });
    const line = await page.textContent('#vacancy-place-line');
    report(line.includes(`${T.tag} 车间`) && line.includes('23.4412'), 'the vacancy shows its address and point', line);
    await shot(page, 'vacancy-detail');
  });
}

/* ---------- the kiosk ---------- */

async function typeKeys(page, keys) {
  for (const k of keys) await page.click(`.keypad [data-key="${k}"]`);
}

async function kiosk() {
  const speechLog = () => {
    window.__spoken = [];
    if (window.speechSynthesis) window.speechSynthesis.speak = (u) => { window.__spoken.push({ text: u.text, lang: u.lang }); };
  };
  const page = await newPage('/kiosk/', 1080, 1920, speechLog);
  await page.waitForSelector('[data-screen="login_id"]');
  await step('zoom is allowed', async () => {
    const vp = await page.getAttribute('meta[name=viewport]', 'content');
    report(!/user-scalable\s*=\s*no|maximum-scale\s*=\s*1(\D|$)/.test(vp), 'the page may be zoomed', vp);
  });
  await step('read aloud without asking for it', async () => {
    report(await page.isVisible('[data-action="speak"]'), 'the read-aloud button is there without ?speech=1');
    await page.click('[data-action="speak"]');
    const spoken = await page.evaluate(() => window.__spoken);
    report(spoken.length === 1 && spoken[0].lang === 'zh-CN' && spoken[0].text.length > 4, 'it reads the sign-in screen aloud', JSON.stringify(spoken).slice(0, 100));
  });
  await step('large text', async () => {
    const before = await page.evaluate(() => parseFloat(getComputedStyle(document.documentElement).fontSize));
    await page.click('[data-action="large-text"]');
    const after = await page.evaluate(() => parseFloat(getComputedStyle(document.documentElement).fontSize));
    report(after > before * 1.15, 'the large-text switch makes the text larger', `${before} -> ${after}`);
    await shot(page, 'kiosk-large');
    await page.click('[data-action="large-text"]');
    const back = await page.evaluate(() => parseFloat(getComputedStyle(document.documentElement).fontSize));
    report(back === before, 'and back', back);
  });
  await step('sign in', async () => {
    // The seeker's wishes answer late: the first list must still wait for
    // them and give its reasons in plain words, not redraw under the finger.
    await page.route('**/v1/kiosk/me', async (route) => {
      await new Promise((r) => setTimeout(r, 1500));
      await route.continue();
    });
    await typeKeys(page, T.id_number);
    await page.click('[data-action="next"]');
    await page.waitForSelector('[data-screen="login_pin"]');
    await typeKeys(page, T.pin);
    await page.click('[data-action="login"]');
    await page.waitForSelector('[data-screen="jobs"] .job-card, [data-screen="jobs"] .empty', { timeout: 30000 });
    await page.unroute('**/v1/kiosk/me');
    report(true, 'the seeker signs in');
  });
  await step('jobs in plain words', async () => {
    let card = null;
    for (let i = 0; i < 20 && !card; i += 1) {
      card = await page.$(`.job-card:has-text("${T.vacancy_title}")`);
      if (!card) {
        await page.waitForTimeout(1000);
        await page.click('[data-nav="jobs"]');
        await page.waitForSelector('[data-screen="jobs"] .job-card, [data-screen="jobs"] .empty', { timeout: 15000 });
      }
    }
    report(card, 'the job near the seeker is listed');
    if (!card) return;
    const c = await card.evaluate((el) => ({
      stars: el.querySelector('.score .stars')?.textContent || '', word: el.querySelector('.score-word')?.textContent || '',
      num: el.querySelector('.score-num')?.textContent || '', place: el.querySelector('.fact.place')?.textContent || '',
      dist: el.querySelector('.fact.distance')?.textContent || '', reasons: [...el.querySelectorAll('.reason')].map((r) => r.textContent),
    }));
    report(/★/.test(c.stars) && /合适|还可以|一般/.test(c.word) && /分$/.test(c.num), 'the fit is stars and a word, the points beside them', JSON.stringify(c).slice(0, 160));
    report(c.place.startsWith('上班地点：') && c.place.includes('西洒镇工业园'), 'the place line says where the work is', c.place);
    report(c.dist.startsWith('离你住的地方'), 'the distance is from the seeker\'s home', c.dist);
    report(!c.reasons.some((r) => /通勤|意向|不低于期望|劳务输出/.test(r)), 'the reasons use everyday words', c.reasons.join(' | '));
    await card.click();
    await page.waitForSelector('.job-detail');
    const start = await page.textContent('.job-detail .fact.start');
    report(start.includes('已经开工'), 'a start date in the past is said as such', start);
    await shot(page, 'kiosk-job');
    await page.click('[data-action="back"]');
  });
  await step('change my wishes', async () => {
    await page.click('[data-nav="me"]');
    await page.waitForSelector('[data-action="edit-prefs"]');
    await page.click('[data-action="edit-prefs"]');
    await page.waitForSelector('[data-screen="prefs"]');
    await page.click('[data-pref="kinds"] .chip[data-kind="workshop"]');
    await page.click('[data-action="wage-more"]');
    await page.click('[data-action="wage-more"]');
    await page.click('[data-pref="commute"] .chip[data-km="10"]');
    await page.click('[data-pref="province"] .chip[data-yes="1"]');
    await page.selectOption('select[data-quiet="from"]', '21:00');
    await page.selectOption('select[data-quiet="to"]', '07:00');
    report((await page.textContent('[data-pref="wage"]')).includes('2700'), 'the wage floor goes up in steps of 100');
    await shot(page, 'kiosk-prefs');
    await page.click('[data-action="speak"]');
    const spoken = await page.evaluate(() => window.__spoken);
    report(spoken.length >= 2 && spoken[spoken.length - 1].text.includes('工作'), 'the read-aloud button reads this screen too', spoken[spoken.length - 1].text.slice(0, 60));
    await page.click('[data-action="prefs-save"]');
    await page.waitForSelector('[data-screen="me"] .message.ok');
    const me = await page.textContent('.me');
    report(me.includes('家门口工厂') && me.includes('2700') && me.includes('10 公里') && me.includes('21:00 到 07:00'),
      'the profile shows the new wishes', me.slice(0, 300));
    await shot(page, 'kiosk-me');
  });
  report(page.outside.length === 0, 'the kiosk fetched nothing from other hosts', page.outside.join(' '));
  report(page.errors.length === 0, 'and had no script errors', page.errors.join(' | '));
}

const page = await accounts();
await vacancyPlace(page);
await kiosk();
await browser.close();
out({ done: true });
