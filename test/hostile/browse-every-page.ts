// Every page of a running `strata serve`, visited in Chromium by following its links, with what ran that should not have.
import { existsSync } from 'node:fs';
import { chromium, type Page } from 'playwright-core';
import { XSS_TITLE } from './hostile-values.js';

export const CHROMIUM = '/usr/bin/chromium';

/** Why the browser check cannot run here, or false; with STRATA_REQUIRE_BROWSER=1 a missing browser is a failure. */
export const browserSkip: string | false =
  existsSync(CHROMIUM) || process.env['STRATA_REQUIRE_BROWSER'] === '1' ? false : `no chromium at ${CHROMIUM} (apt-get install -y chromium)`;

export interface Browsed {
  /** The routes visited (`#/`, `#/chips`, `#/run/<id>`...), in order. */
  readonly visited: readonly string[];
  /** Each thing that ran, or showed that markup became elements: `<route>: <what>`. */
  readonly problems: readonly string[];
}

/** What a page holds that only markup from a value could have put there: handlers, script, javascript: URLs. */
function plantedOnPage(mark: string): string[] {
  const doc = (globalThis as any).document;
  const found: string[] = [];
  for (const element of doc.querySelectorAll('*')) {
    for (const attribute of element.attributes) {
      if (/^on/i.test(attribute.name)) found.push(`<${element.tagName.toLowerCase()}> has a handler ${attribute.name}`);
      if (/^(href|src|action|formaction|srcdoc)$/i.test(attribute.name) && /^\s*javascript:/i.test(attribute.value)) {
        found.push(`<${element.tagName.toLowerCase()}> has a javascript: ${attribute.name}`);
      }
    }
    if (/^(script|iframe|object|embed)$/i.test(element.tagName) && element.outerHTML.includes(mark)) found.push(`a <${element.tagName.toLowerCase()}> from a value`);
    if (/^(img|svg)$/i.test(element.tagName) && element.outerHTML.includes(mark)) found.push(`an <${element.tagName.toLowerCase()}> from a value`);
  }
  if (String(doc.title).includes(mark)) {
    found.push(`the title is ${JSON.stringify(doc.title)}`);
    doc.title = ''; // so that the next page is judged on what it runs itself
  }
  const g = globalThis as any;
  for (const violation of g.__policyViolations ?? []) found.push(`the content security policy stopped ${violation}`);
  g.__policyViolations = [];
  return found;
}

/** Focuses and hovers what a person would: handlers planted by markup (onfocus, onmouseover) fire now. */
async function touchEverything(page: Page): Promise<void> {
  for (let k = 0; k < 12; k++) await page.keyboard.press('Tab');
  const targets = await page.locator('main a, main tr, main button, main label, main [title], .mark').all();
  for (const target of targets.slice(0, 24)) await target.hover({ timeout: 300, force: true }).catch(() => undefined);
}

/**
 * Opens `url`, then every `#/...` link the pages show, breadth first, up to `maxPages`; on each, waits until the page
 * says it is ready (`body[data-ready]`), touches it, and records dialogs, errors, and whatever markup planted.
 */
export async function browseEveryPage(url: string, maxPages: number): Promise<Browsed> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const problems: string[] = [];
  const visited: string[] = [];
  let route = '#/';
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.addInitScript(() => {
      const g = globalThis as any;
      g.__policyViolations = [];
      g.document.addEventListener('securitypolicyviolation', (e: any) => g.__policyViolations.push(`${e.violatedDirective} (${e.blockedURI || 'inline'})`));
    });
    page.on('dialog', (dialog) => {
      problems.push(`${route}: a dialog opened: ${dialog.message()}`);
      void dialog.dismiss();
    });
    page.on('pageerror', (error) => problems.push(`${route}: a script error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`${route}: the console says: ${message.text()}`);
    });
    page.on('request', (request) => {
      if (!request.url().startsWith(new URL(url).origin)) problems.push(`${route}: the page asked for ${request.url()}`);
    });
    const queue = ['#/'];
    const seen = new Set(queue);
    while (queue.length > 0 && visited.length < maxPages) {
      route = queue.shift()!;
      visited.push(route);
      await page.goto(new URL(route, url).href);
      const ready = await page
        .waitForFunction(() => {
          const g = globalThis as any;
          return g.document.body.dataset['ready'] === (g.location.hash || '#/');
        }, undefined, { timeout: 20_000 })
        .then(() => true, () => false);
      if (!ready) problems.push(`${route}: the page never said it was ready`);
      await touchEverything(page);
      for (const found of await page.evaluate(plantedOnPage, XSS_TITLE)) problems.push(`${route}: ${found}`);
      const links = await page.evaluate(() => [...(globalThis as any).document.querySelectorAll('a[href^="#/"]')].map((a: any) => a.getAttribute('href') as string));
      for (const link of links) {
        if (seen.has(link)) continue;
        seen.add(link);
        queue.push(link);
      }
    }
    if (queue.length > 0) problems.push(`more than ${maxPages} pages: ${queue.length} left unvisited (${queue.slice(0, 3).join(', ')}...)`);
  } finally {
    await browser.close();
  }
  return { visited, problems };
}
