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
  if (shifted) {
    const newContext = browser.newContext.bind(browser);
    browser.newContext = async (opts) => {
      const ctx = await newContext(opts);
      await ctx.clock.install({ time: Date.now() });
      return ctx;
    };
  }
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
