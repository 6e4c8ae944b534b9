// Launches Debian's Chromium through Playwright, one browser per user, each
// with a fresh profile directory that is deleted afterwards.

import { mkdtempSync, mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

const CHROMIUM = process.env.PARLEY_CHROMIUM ?? "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

// Maximum wait of one page action or wait, in milliseconds.
export const ACTION_TIMEOUT_MS = 30000;

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

const screenshotDir = process.env.PARLEY_SCREENSHOT_DIR ?? join(tmpdir(), "parley-browser-screenshots");
mkdirSync(screenshotDir, { recursive: true });

// Opens `url` in a new Chromium with its own profile. Returns the page and a
// close() that stops the browser and deletes the profile.
export async function openBrowser(url, { viewport = DESKTOP } = {}) {
  const profile = mkdtempSync(join(tmpdir(), "parley-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(ACTION_TIMEOUT_MS);
  const errors = [];
  page.on("pageerror", (error) => errors.push(error));
  await page.goto(url);
  return {
    context,
    page,
    errors,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export async function screenshot(page, name) {
  const path = join(screenshotDir, `${name}.png`);
  await page.screenshot({ path });
  return path;
}
