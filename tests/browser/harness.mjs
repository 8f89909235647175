// What the browser scripts share: Debian's Chromium launched headless by
// playwright-core (no browser is downloaded), and numbered screenshots.

import { chromium } from 'playwright-core';
import fs from 'node:fs';
import path from 'node:path';

// The browser at CHROMIUM (default /usr/bin/chromium), headless, quiet.
// Under make test-aging this script's clock is moved by libfaketime, which
// Chromium does not run under: the browser keeps the real clock, and every
// page it opens is given this script's time instead, so that the pages, the
// server and the tests agree on what day it is.
//
// A context opened with { clockAt: ms } starts its pages' clock at that
// time instead, running on from there.
export async function launchChromium() {
  const env = { ...process.env };
  const shifted = /faketime/.test(env.LD_PRELOAD || '');
  if (shifted) delete env.LD_PRELOAD;
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    env,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--disable-default-apps', '--disable-extensions'],
  });
  const newContext = browser.newContext.bind(browser);
  browser.newContext = async (opts = {}) => {
    const { clockAt, ...rest } = opts;
    const ctx = await newContext(rest);
    if (clockAt !== undefined || shifted) await ctx.clock.install({ time: clockAt ?? Date.now() });
    return ctx;
  };
  return browser;
}

// A function (page, name, opts) that saves page as DIR/NN-name.png, numbered
// in the order taken, and returns the file's path.
export function screenshotter(dir) {
  fs.mkdirSync(dir, { recursive: true });
  let n = 0;
  return async (page, name, opts = {}) => {
    n += 1;
    const file = path.join(dir, `${String(n).padStart(2, '0')}-${name}.png`);
    await page.screenshot({ path: file, ...opts });
    return file;
  };
}

// Records every answer under /v1/ that page receives, one JSON line each in
// $LEYE_TEST_TMP/answers, as tests/lib/LeyeTest.pm records the suites' own
// answers, for tests/reidentify.pl.  The kind of caller is told by the
// token's prefix (a staff session counts as staff without pii:reveal).
export function recordAnswers(page, script) {
  if (!process.env.LEYE_TEST_TMP) return;
  const dir = path.join(process.env.LEYE_TEST_TMP, 'answers');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${script}.${process.pid}.jsonl`);
  page.on('response', async (res) => {
    try {
      const url = new URL(res.url());
      const type = res.headers()['content-type'] || '';
      if (!url.pathname.startsWith('/v1/') || !/json|csv|html|text\/plain/i.test(type)) return;
      const req = res.request();
      const token = ((await req.allHeaders()).authorization || '').replace(/^Bearer\s+/i, '');
      const caller = token.startsWith('lyk_') ? 'kiosk' : token.startsWith('lyb_') ? 'broker'
        : token.startsWith('lys_') ? 'staff' : 'public';
      const body = await res.text();
      const day = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
      fs.appendFileSync(file, `${JSON.stringify({
        suite: script, caller, method: req.method(), path: url.pathname, status: res.status(), type, day, body,
      })}\n`);
    } catch {
      // the page went away before its answer could be read
    }
  });
}
