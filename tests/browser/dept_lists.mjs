// Department lists in the console: county staff upload a file with a bad
// row (named, nothing kept), then a list of three people of the county; the
// page shows the two who disagree with Leye, what each side says and the
// date, ID numbers masked, and when the list will be deleted; a visit is
// opened for one from its row, and for the other by selecting it.  Prints
// one JSON line per check ({ok, name, detail}) and {done: true} at the end,
// for tests/integration/78_dept_lists_web.t.
//
//   node dept_lists.mjs BASE_URL SCREENSHOT_DIR   (fixture in $DEPT_LISTS_TEST as JSON)

import { launchChromium, recordAnswers, screenshotter } from './harness.mjs';

const out = (obj) => process.stdout.write(`${JSON.stringify(obj)}\n`);
const report = (ok, name, detail) => out({ ok: Boolean(ok), name, detail: detail === undefined ? '' : String(detail) });

const [base, shotDir] = process.argv.slice(2);
if (!base || !shotDir) {
  process.stderr.write('usage: dept_lists.mjs BASE_URL SCREENSHOT_DIR\n');
  process.exit(2);
}
const T = JSON.parse(process.env.DEPT_LISTS_TEST || '{}');
const shot = screenshotter(shotDir);
const browser = await launchChromium();

async function step(name, fn) {
  try {
    await fn();
  } catch (e) {
    report(false, name, e.stack || e.message);
  }
}

const ctx = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'zh-CN', serviceWorkers: 'block' });
const page = await ctx.newPage();
recordAnswers(page, 'dept_lists.mjs');
page.errors = [];
page.on('pageerror', (e) => page.errors.push(e.message));
await page.goto(`${base}/console/`);

const row = (k) => page.locator(`#deptlist-items tbody tr[data-worker="${T[k].worker_id}"]`);
const cell = (k, key) => row(k).locator(`td[data-key="${key}"]`);

async function upload(file) {
  await page.selectOption('#deptlist-form select[name="department"]', 'civil_affairs');
  await page.fill('#deptlist-form input[name="name"]', T.name);
  await page.selectOption('#deptlist-form select[name="county_code"]', String(T.county_code));
  await page.setInputFiles('#deptlist-file', file);
  await page.click('#deptlist-form button[type=submit]');
  await page.waitForSelector('#deptlist-report', { timeout: 30000 });
}

await step('sign in and open the page', async () => {
  await page.waitForSelector('#login-form');
  await page.fill('#login-user', T.user);
  await page.fill('#login-pass', T.password);
  await page.click('#login-form button[type=submit]');
  await page.waitForSelector('#nav');
  const link = page.locator('#nav a[data-route="department-lists"]');
  report(await link.count() === 1, 'the menu offers 部门信息比对', await page.locator('#nav').innerText());
  await link.click();
  await page.waitForSelector('.page[data-loaded="deptlists"]', { timeout: 30000 });
  const counties = await page.locator('#deptlist-form select[name="county_code"] option').evaluateAll((os) => os.map((o) => o.value));
  report(counties.includes(String(T.county_code)), 'the county of the caller is offered', counties.join());
});

await step('a file with a bad row', async () => {
  await upload(T.bad_csv);
  const ok = await page.locator('#deptlist-report').getAttribute('data-ok');
  report(ok === 'false', 'the file is refused', ok);
  const rows = await page.locator('#deptlist-report tbody tr').allInnerTexts();
  report(rows.length === 1 && /^3\s/.test(rows[0]) && rows[0].includes('标识'), 'the bad row is named by line and column', rows.join(' | '));
  await shot(page, 'bad-rows');
});

await step('the list imported', async () => {
  await upload(T.good_csv);
  const ok = await page.locator('#deptlist-report').getAttribute('data-ok');
  report(ok === 'true', 'the GBK list is imported', ok);
  const n = await page.locator('#deptlist-disagreements').innerText();
  report(n.trim() === '2', 'two disagreements reported', n);
  const lists = await page.locator('#deptlist-lists').innerText();
  report(lists.includes(T.name), 'the list joins the lists imported', lists);
  await shot(page, 'imported');
  await page.click('#deptlist-view');
  await page.waitForSelector('.page[data-loaded="deptlist"]', { timeout: 30000 });
});

await step('the disagreements', async () => {
  const ids = await page.locator('#deptlist-items tbody tr').evaluateAll((trs) => trs.map((tr) => tr.dataset.worker));
  report(ids.length === 2 && ids.includes(String(T.b.worker_id)) && ids.includes(String(T.c.worker_id)),
    'the two who disagree are listed, not the one who agrees', ids.join());
  report(await row('d').count() === 0, 'the one who agrees is not shown', '');
  const b = { leye: await cell('b', 'leye').innerText(), list: await cell('b', 'list').innerText(), date: await cell('b', 'date').innerText(), why: await cell('b', 'why').innerText() };
  report(b.leye.includes('县内就业') && b.list.includes('困难') && b.date === T.b.date && b.why.includes('名单上为困难'),
    'b: employed here, hardship on the list, with its date', JSON.stringify(b));
  const c = { leye: await cell('c', 'leye').innerText(), list: await cell('c', 'list').innerText(), date: await cell('c', 'date').innerText() };
  report(c.leye.includes('求职中') && c.list.includes('就业') && c.date === T.c.date, 'c: seeking here, employed on the list', JSON.stringify(c));
  const text = await page.locator('#main').innerText();
  report(/\d{6}\*{11}[\dX]/.test(text) && !text.includes(T.b.id_number) && !text.includes(T.c.id_number),
    'ID numbers are masked, never in full', '');
  report(text.includes(T.site_name), 'each with its site', '');
  const expires = await page.locator('#deptlist-expires').innerText();
  report(/\d/.test(expires) && text.includes('自动删除'), 'the page says when the list will be deleted', expires);
  await shot(page, 'disagreements');
});

await step('a visit for one', async () => {
  await row('b').locator('button[data-open]').click();
  await page.waitForSelector(`#deptlist-items tbody tr[data-worker="${T.b.worker_id}"] td[data-key="task"] .badge`, { timeout: 15000 });
  report(await row('c').locator('button[data-open]').count() === 1, 'only b has a visit; c can still have one', '');
});

await step('a visit for the selected', async () => {
  await row('c').locator('input.pick').check();
  await page.click('#deptlist-open-selected');
  await page.waitForSelector(`#deptlist-items tbody tr[data-worker="${T.c.worker_id}"] td[data-key="task"] .badge`, { timeout: 15000 });
  const open = await page.locator('#deptlist-items td[data-key="task"] .badge').count();
  report(open === 2, 'each disagreement shows its open visit', open);
  report(await page.locator('#deptlist-open-all').count() === 0, 'nothing left to open', '');
  await shot(page, 'tasks-opened');
});

await step('in English', async () => {
  await page.click('#lang-switch');
  await page.waitForSelector('.page[data-loaded="deptlist"]', { timeout: 15000 });
  const why = await cell('b', 'why').innerText();
  report(why.includes('Employed here, on a hardship list there'), 'the page speaks English too', why);
  await shot(page, 'english');
  await page.click('#lang-switch');
  await page.waitForSelector('.page[data-loaded="deptlist"]', { timeout: 15000 });
  report(page.errors.length === 0, 'no script errors in the console', page.errors.join('; '));
});

await browser.close();
out({ done: true });
