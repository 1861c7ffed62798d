/// <reference lib="dom" />
// What the console's browser tests do on every screen: wait for things the
// Playwright way and fail with vitest, find the main landmark, headings and
// the screens' navigation, photograph a screen at every width in light and
// dark, and say what the page showed when a step fails.
import { expect, onTestFailed } from 'vitest';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AxeResults } from 'axe-core';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { screenshotDir } from './browser.ts';
import type { ConsoleWeb } from './console-web.ts';

/** A full laptop screen, a smaller one, and half of a 1800 px one. */
export const WIDTHS = [1280, 1024, 900] as const;
export const HEIGHT = 800;

let axeText: string | null = null;
/** axe-core's browser build, read once. */
const axeSource = () => (axeText ??= readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8'));

export interface KitOptions {
  page(): Page;
  web(): ConsoleWeb;
  /** Screenshot file names start with it (each test file its own, so parallel files never delete each other's). */
  prefix: string;
}

export function consoleKit(o: KitOptions) {
  const shotsTaken: string[] = [];
  let shotsMs = 0;
  const pageErrors: string[] = [];
  const consoleErrors: string[] = [];
  const page = () => o.page();

  // playwright-core has no web-first assertions: these wait the Playwright way, then fail with vitest.
  const shown = (l: Locator, timeout?: number) => l.waitFor({ state: 'visible', ...(timeout ? { timeout } : {}) });
  const gone = (l: Locator) => l.waitFor({ state: 'hidden' });
  const checked = (l: Locator, on: boolean) => expect.poll(() => l.isChecked(), { timeout: 10_000 }).toBe(on);
  const hasText = (l: Locator, want: string | RegExp, timeout = 10_000) =>
    expect
      .poll(() => l.innerText().catch(() => ''), { timeout })
      .toMatch(typeof want === 'string' ? new RegExp(want.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : want);
  const main = () => page().locator('#main');
  const heading = (name: string | RegExp) => page().getByRole('heading', { name, exact: typeof name === 'string' });
  const navigation = () => page().getByRole('navigation', { name: 'Screens' });
  const nav = (label: string) => navigation().getByRole('button', { name: label, exact: true }).click();

  return {
    shown,
    gone,
    checked,
    hasText,
    main,
    heading,
    navigation,
    nav,
    pageErrors,
    consoleErrors,
    shotsTaken,

    /** Close every toast on the page (one left from an earlier step would cover what the next picture is for). */
    async dismissToasts() {
      const buttons = page().locator('.toasts button[aria-label="Dismiss"]');
      // A toast leaves with a short animation, and a new one may arrive meanwhile: a few passes, never a failure.
      for (let pass = 0; pass < 5 && (await buttons.count()) > 0; pass++) {
        for (const b of await buttons.all()) await b.click({ timeout: 1_000 }).catch(() => undefined);
        await page().waitForTimeout(200);
      }
    },

    /** Forget an earlier run's pictures of this file (its FAILED ones too), so they are not mistaken for today's. */
    clearShots() {
      for (const f of readdirSync(screenshotDir())) if (f.startsWith(`${o.prefix}-`) && f.endsWith('.png')) rmSync(join(screenshotDir(), f));
    },

    /** Collect the page's uncaught errors and console errors (the suite asserts there are none). */
    watch(p: Page) {
      p.on('pageerror', (e) => pageErrors.push(e.message));
      p.on('console', (m) => {
        if (m.type() === 'error') consoleErrors.push(m.text());
      });
    },

    /**
     * The screen as it is, at each window width an admin works at, in light
     * and in dark (saved for people to look at, never committed). The window
     * returns to 1280 px. The console is an app shell whose content pane
     * scrolls, so the picture is the window, not a full-page capture.
     */
    async shots(name: string, widths: readonly number[] = WIDTHS) {
      const p = page();
      const started = Date.now();
      for (const width of widths) {
        if (p.viewportSize()?.width !== width) await p.setViewportSize({ width, height: HEIGHT });
        for (const colorScheme of ['light', 'dark'] as const) {
          await p.emulateMedia({ colorScheme });
          // Let the theme's transitions (the switches', 150 ms at most) settle before the picture.
          await p.waitForTimeout(60);
          await p.screenshot({ path: `${screenshotDir()}/${o.prefix}-${name}-${width}-${colorScheme}.png` });
        }
      }
      await p.emulateMedia({ colorScheme: 'light' });
      if (p.viewportSize()?.width !== WIDTHS[0]) await p.setViewportSize({ width: WIDTHS[0], height: HEIGHT });
      shotsTaken.push(`${o.prefix}-${name}`);
      shotsMs += Date.now() - started;
    },

    /** Time spent taking pictures, for the run's log (they are most of a browser test's time). */
    shotsMs: () => shotsMs,

    /** Run `fn` at each width (the window returns to 1280 px after). */
    async atWidths(fn: (width: number) => Promise<void>, widths: readonly number[] = WIDTHS) {
      const p = page();
      try {
        for (const width of widths) {
          await p.setViewportSize({ width, height: HEIGHT });
          await fn(width);
        }
      } finally {
        await p.setViewportSize({ width: WIDTHS[0], height: HEIGHT });
      }
    },

    /**
     * axe on the page as it is, light and dark, at each width: the serious and
     * critical findings (every finding is printed as `A11Y <label> …`).
     */
    async axeSerious(label: string, widths: readonly number[] = WIDTHS): Promise<string[]> {
      const p = page();
      const found: string[] = [];
      try {
        for (const width of widths) {
          await p.setViewportSize({ width, height: HEIGHT });
          for (const colorScheme of ['light', 'dark'] as const) {
            await p.emulateMedia({ colorScheme });
            if (!(await p.evaluate(() => 'axe' in window))) await p.evaluate(axeSource());
            const violations = await p.evaluate(async () => {
              const a = (window as unknown as { axe: { run(ctx: Document, o: object): Promise<AxeResults> } }).axe;
              const r = await a.run(document, { resultTypes: ['violations'] });
              return r.violations.map((v) => ({
                id: v.id,
                impact: v.impact ?? null,
                help: v.help,
                nodes: v.nodes.map((n) => `${n.target.join(' ')} ${n.html.slice(0, 120)}`),
              }));
            });
            process.stdout.write(
              `A11Y ${label} ${colorScheme} ${width}: ${violations.map((v) => `${v.id}(${v.impact})×${v.nodes.length}`).join(', ') || 'none'}\n`,
            );
            for (const v of violations.filter((x) => x.impact === 'serious' || x.impact === 'critical'))
              for (const n of v.nodes.slice(0, 6)) found.push(`${colorScheme} ${width} ${v.id} (${v.help}): ${n}`);
          }
        }
      } finally {
        await p.emulateMedia({ colorScheme: 'light' });
        await p.setViewportSize({ width: WIDTHS[0], height: HEIGHT });
      }
      return found;
    },

    /** On failure: what the page showed, the console's and the bundled server's last lines, and a picture. */
    diagnoseOnFailure(step: string) {
      onTestFailed(async () => {
        const text = await main()
          .innerText({ timeout: 1_000 })
          .catch(() => '(no #main)');
        const web = o.web();
        const log = await web.bridge<{ lines: string[] }>('bundledServerLog', { lines: 30 }).catch(() => null);
        process.stderr.write(
          `\n--- ${step} failed; the page showed:\n${text.slice(0, 2_000)}\n--- console-web output:\n${web.output().slice(-1_500)}\n` +
            `--- bundled server log:\n${log?.ok ? log.value.lines.join('\n') : JSON.stringify(log)}\n` +
            `--- page errors: ${JSON.stringify(pageErrors)}\n--- console errors: ${JSON.stringify(consoleErrors.slice(-10))}\n`,
        );
        await page()
          .screenshot({ path: `${screenshotDir()}/${o.prefix}-FAILED-${step}.png`, fullPage: true })
          .catch(() => undefined);
      });
    },

    /**
     * A link or button an admin clicks is whole and on top: its text is not
     * cut (no ellipsis: it scrolls no wider than it shows), it lies inside
     * the window, and the point at its middle hits it and nothing covering it.
     * Returns what is wrong, or null.
     */
    async usable(l: Locator): Promise<string | null> {
      return l.evaluate((el) => {
        const r = el.getBoundingClientRect();
        const what = `"${el.textContent ?? ''}" (${Math.round(r.left)}..${Math.round(r.right)} px, ${el.clientWidth}/${el.scrollWidth} px shown)`;
        if (r.width < 8 || r.height < 8) return `${what} is too small to click`;
        if (el.scrollWidth > el.clientWidth + 1) return `${what} is cut`;
        if (r.left < 0 || r.right > window.innerWidth) return `${what} is outside the window`;
        const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
        if (!hit || !(hit === el || el.contains(hit))) return `${what} is covered by ${hit?.outerHTML.slice(0, 80) ?? 'nothing'}`;
        return null;
      });
    },
  };
}
export type ConsoleKit = ReturnType<typeof consoleKit>;
