/// <reference lib="dom" />
// Small waits and pictures for Playwright tests in vitest (playwright-core has
// no web-first assertions): wait the Playwright way, then assert with vitest.
import { expect } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { screenshotDir } from './browser.ts';

export const shown = (l: Locator, timeout?: number) => l.waitFor({ state: 'visible', ...(timeout ? { timeout } : {}) });
export const gone = (l: Locator) => l.waitFor({ state: 'hidden' });
export const checked = (l: Locator, on: boolean) => expect.poll(() => l.isChecked(), { timeout: 10_000 }).toBe(on);
export const hasText = (l: Locator, want: string | RegExp, timeout = 10_000) =>
  expect
    .poll(() => l.innerText().catch(() => ''), { timeout })
    .toMatch(typeof want === 'string' ? new RegExp(want.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : want);

/**
 * The window as the admin sees it, light and dark, at the given widths
 * (saved in test-results/screenshots for people to look at; never committed).
 */
export async function shots(page: Page, name: string, widths: readonly number[] = [1280], taken?: string[]): Promise<void> {
  const size = page.viewportSize() ?? { width: 1280, height: 800 };
  for (const width of widths) {
    if (width !== page.viewportSize()?.width) await page.setViewportSize({ width, height: size.height });
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme });
      await page.waitForTimeout(120);
      await page.screenshot({ path: `${screenshotDir()}/${name}-${width}-${colorScheme}.png` });
    }
  }
  await page.setViewportSize(size);
  await page.emulateMedia({ colorScheme: 'light' });
  taken?.push(name);
}
