// End-to-end test of training in headless Chromium: a job seeker at the
// kiosk sees the courses with the jobs each would open in plain words and
// enrols in one; county staff in the console see the courses, the skill
// gaps and a course's enrolments, and record a pass.
//
//   node tests/browser/training.mjs BASE_URL SCREENSHOT_DIR
//       the people and records to use come in TRAINING_TEST as JSON (see
//       tests/integration/56_training_web.t)
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
  process.stderr.write('usage: training.mjs BASE_URL SCREENSHOT_DIR\n');
  process.exit(2);
}
const T = JSON.parse(process.env.TRAINING_TEST || '{}');
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
  recordAnswers(page, 'training.mjs');
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/^Failed to load resource/.test(m.text())) page.errors.push(m.text());
  });
  await page.goto(`${base}${path}`);
  return page;
}

// ---------- the kiosk ----------
{
  const page = await newPage('/kiosk/', 1080, 1920);
  await step('kiosk: log in', async () => {
    await page.waitForSelector('[data-screen="login_id"]');
    for (const k of T.id_number) await page.click(`.keypad [data-key="${k}"]`);
    await page.click('[data-action="next"]');
    await page.waitForSelector('[data-screen="login_pin"]');
    for (const k of T.pin) await page.click(`.keypad [data-key="${k}"]`);
    await page.click('[data-action="login"]');
    await page.waitForSelector('[data-nav="courses"]', { timeout: 15000 });
    report(true, 'kiosk: the job seeker logs in and has a tab for courses');
  });
  await step('kiosk: the courses in plain words', async () => {
    await page.click('[data-nav="courses"]');
    await page.waitForSelector('[data-screen="courses"] .course', { timeout: 15000 });
    const first = await page.locator('[data-screen="courses"] .course').first();
    const gain = await first.locator('.course-gain').innerText();
    report(gain.includes(`能多报 ${T.opens} 个岗位`), 'kiosk: the first course says how many more jobs it opens', gain);
    const title = await first.locator('.job-title').innerText();
    report(title === T.course_title, 'kiosk: the course that opens the most comes first', title);
    await shot(page, 'kiosk-courses');
  });
  await step('kiosk: enrol', async () => {
    await page.locator(`[data-action="enrol"][data-course="${T.course_id}"]`).click();
    await page.waitForSelector('[data-screen="course_confirm"]');
    await shot(page, 'kiosk-confirm');
    await page.click('[data-action="confirm"]');
    await page.waitForSelector('[data-screen="course_done"]', { timeout: 15000 });
    const text = await page.locator('[data-screen="course_done"]').innerText();
    report(text.includes('报名成功'), 'kiosk: enrolling says it worked', text);
    await shot(page, 'kiosk-enrolled');
    await page.click('[data-action="see-courses"]');
    await page.waitForSelector('[data-screen="courses"] [data-mine] li');
    const mine = await page.locator('[data-mine] li').allInnerTexts();
    report(mine.length === 1 && mine[0].includes('已报名'), 'kiosk: the course is among my courses, enrolled', mine.join(' | '));
    const left = await page.locator(`[data-action="enrol"][data-course="${T.course_id}"]`).count();
    report(left === 0, 'kiosk: and no longer offered', left);
  });
  await step('kiosk: English', async () => {
    await page.click('[data-action="lang"]');
    await page.click('[data-nav="courses"]');
    await page.waitForSelector('[data-screen="courses"] .course .course-gain');
    const gain = await page.locator('.course-gain').first().innerText();
    report(/more jobs|opens no more jobs/.test(gain), 'kiosk: in English too', gain);
  });
  report(page.errors.length === 0, 'kiosk: no script errors', page.errors.join('; '));
  await page.context().close();
}

// ---------- the console ----------
{
  const page = await newPage('/console/', 1366, 900);
  await step('console: log in', async () => {
    await page.waitForSelector('#login-form');
    await page.fill('#login-user', T.user);
    await page.fill('#login-pass', T.password);
    await page.click('#login-form button[type=submit]');
    await page.waitForSelector('#nav a[data-route="training"]', { timeout: 15000 });
    report(true, 'console: county staff log in and have Training in the menu');
  });
  await step('console: the courses and the skill gaps', async () => {
    await page.click('#nav a[data-route="training"]');
    await page.waitForSelector('#course-list table tbody tr', { timeout: 15000 });
    const rows = await page.locator('#course-list table tbody tr').allInnerTexts();
    report(rows.some((r) => r.includes(T.course_title) && r.includes('1 / 20')), 'console: the course with the seat the kiosk took',
      rows.join(' | '));
    await page.waitForSelector('#training-gaps table tbody tr');
    const gaps = await page.locator('#training-gaps table tbody tr').first().innerText();
    report(gaps.includes('电焊'), 'console: the skill most missing among the seekers is listed first', gaps);
    await shot(page, 'console-training');
  });
  await step('console: record a pass', async () => {
    await page.evaluate((id) => { location.hash = `#/training/${id}`; }, T.started_course_id);
    await page.waitForSelector('#enrolments table tbody tr', { timeout: 15000 });
    const row = page.locator(`[data-enrolment="${T.started_enrolment_id}"]`);
    await row.locator('button', { hasText: '登记结果' }).click();
    await page.waitForSelector('#result-form');
    await shot(page, 'console-result');
    await page.click('dialog .buttons button[type=submit]');
    await page.waitForFunction(() => document.querySelector('#enrolments')?.innerText.includes('合格'), null, { timeout: 15000 });
    const text = await page.locator('#enrolments').innerText();
    report(text.includes('合格') && text.includes('已结业'), 'console: the pass is shown with its subsidy', text);
    await shot(page, 'console-passed');
  });
  report(page.errors.length === 0, 'console: no script errors', page.errors.join('; '));
  await page.context().close();
}

await browser.close();
out({ done: true });
