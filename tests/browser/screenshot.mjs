// A picture of the kiosk's job list, as in the README (docs/img/kiosk-jobs.png),
// or of another tab (courses, trips: docs/img/kiosk-courses.png, kiosk-trips.png):
//
//   node tests/browser/screenshot.mjs BASE_URL OUT.png [WIDTHxHEIGHT] [TAB]
//
// The ID number and PIN of the job seeker to show come in the environment
// (KIOSK_ID, KIOSK_PIN), never on the command line.  With the demo data
// (leye-server demo), set a PIN for a worker with PUT /v1/workers/{id}/pin.

import { launchChromium } from './harness.mjs';

const [base, out, size = '1080x1920', tab = 'jobs'] = process.argv.slice(2);
const [width, height] = size.split('x').map(Number);
const id = process.env.KIOSK_ID || '';
const pin = process.env.KIOSK_PIN || '';
if (!base || !out || !width || !height || id.length !== 18 || pin.length !== 6) {
  process.stderr.write('usage: KIOSK_ID=... KIOSK_PIN=... node screenshot.mjs BASE_URL OUT.png [WIDTHxHEIGHT] [TAB]\n');
  process.exit(2);
}

const browser = await launchChromium();
try {
  const page = await (await browser.newContext({ viewport: { width, height } })).newPage();
  await page.goto(`${base}/kiosk/`);
  await page.waitForSelector('[data-screen="login_id"]');
  for (const k of id) await page.click(`.keypad [data-key="${k}"]`);
  await page.click('[data-action="next"]');
  for (const k of pin) await page.click(`.keypad [data-key="${k}"]`);
  await page.click('[data-action="login"]');
  await page.waitForSelector('[data-screen="jobs"] .job-card');
  if (tab !== 'jobs') {
    await page.click(`[data-nav="${tab}"]`);
    await page.waitForSelector(`[data-screen="${tab}"] .card`);
  }
  await page.waitForTimeout(500);
  await page.screenshot({ path: out });
  await page.click('[data-action="logout"]');
} finally {
  await browser.close();
}
