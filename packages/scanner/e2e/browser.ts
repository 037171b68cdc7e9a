// Chromium with a fake camera, and a staff member signed in on it.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { inject } from 'vitest';

export const e2e = inject('e2e');
/** Videos, screenshots: git-ignored (see .gitignore). */
export const artifacts = path.join(path.dirname(fileURLToPath(import.meta.url)), '.artifacts');
/** A deadline, not a speed: pinned to one busy core, decoding and answering took up to ~30 s. */
export const VERDICT_TIMEOUT_MS = 60_000;

/**
 * Runs `step`; if it fails, saves a screenshot as `<name>-failed.png` and adds what the page says
 * to the error, so a failure on another machine can be read afterwards.
 */
export async function explained<T>(page: Page, name: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    await page
      .screenshot({ path: path.join(artifacts, `${name}-failed.png`), fullPage: true })
      .catch(() => undefined);
    const text = await page
      .locator('body')
      .innerText({ timeout: 5_000 })
      .catch(() => '(no text)');
    throw new Error(`${String(error)}\nthe page said: ${text.slice(0, 1_000)}`, { cause: error });
  }
}

/** `video`: a Y4M file written with fake-camera-video.ts. */
export function launchWithVideo(video: string): Promise<Browser> {
  return chromium.launch({
    executablePath: e2e.chromiumPath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-video-capture=${video}`,
    ],
  });
}

export interface StaffPage {
  page: Page;
  /** Every URL the page requested. */
  requested: string[];
}

export async function signInAsStaff(
  browser: Browser,
  settings: { mode: 'confirm' | 'instant'; width?: number },
): Promise<StaffPage> {
  const context = await browser.newContext({
    baseURL: e2e.baseUrl,
    viewport: { width: settings.width ?? 360, height: 740 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
  });
  // the device setting, as a person would have chosen it on this phone before
  await context.addInitScript(
    (value) => {
      localStorage.setItem('couponscan.scanner.settings', value);
    },
    JSON.stringify({ mode: settings.mode, sound: false, autoReturn: false }),
  );
  const page = await context.newPage();
  const requested: string[] = [];
  page.on('request', (request) => requested.push(request.url()));
  await page.goto('/');
  await page.getByLabel('Email').fill('staff@example.com');
  await page.getByLabel('Password').fill('demo-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL('**/scan');
  return { page, requested };
}

/** Milliseconds since the scanner asked for the camera, on the page's clock. */
export function sinceCameraRequested(page: Page): Promise<number> {
  return page.evaluate(() => {
    const mark = performance.getEntriesByName('couponscan:camera-requested').at(0);
    return mark === undefined ? -1 : performance.now() - mark.startTime;
  });
}

/**
 * Headlines whose rendered lines split a word: every pair of neighbouring letters must sit on the
 * same line box (Range.getClientRects per character), and no headline may be wider than its box.
 */
export function headlinesSplittingWords(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const problems: string[] = [];
    for (const headline of document.querySelectorAll<HTMLElement>('.verdict-headline')) {
      const letters: { char: string; top: number }[] = [];
      const walker = document.createTreeWalker(headline, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node !== null; node = walker.nextNode()) {
        const text = node.textContent ?? '';
        for (let i = 0; i < text.length; i++) {
          const range = document.createRange();
          range.setStart(node, i);
          range.setEnd(node, i + 1);
          const box = range.getClientRects()[0];
          if (box !== undefined) letters.push({ char: text.charAt(i), top: box.top });
        }
      }
      for (let i = 1; i < letters.length; i++) {
        const [before, after] = [letters[i - 1], letters[i]];
        if (before === undefined || after === undefined) continue;
        if (before.char.trim() === '' || after.char.trim() === '') continue;
        if (Math.abs(before.top - after.top) > 1) {
          problems.push(
            `"${headline.textContent}" breaks between ${before.char} and ${after.char}`,
          );
        }
      }
      if (headline.scrollWidth > headline.clientWidth + 1) {
        problems.push(`"${headline.textContent}" is wider than the screen`);
      }
    }
    return problems;
  });
}
