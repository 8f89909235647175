// What the browser scripts share: Debian's Chromium launched headless by
// playwright-core (no browser is downloaded), and numbered screenshots.

import { chromium } from 'playwright-core';
import fs from 'node:fs';
import path from 'node:path';

// The browser at CHROMIUM (default /usr/bin/chromium), headless, quiet.
export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--disable-default-apps', '--disable-extensions'],
  });
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
