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
  readonly ran: readonly string[];
  /** Pages that never said they were ready, and requests that failed or that the server failed on: `<route>: <what>`. */
  readonly broken: readonly string[];
  /** Requests the server refused with a 4xx (a sentence, not a failure): `<route>: <status> <path>`. */
  readonly refused: readonly string[];
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
  // Every planted script sets the title to the mark alone; a page may show the values in its title, as text.
  if (String(doc.title) === mark) {
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
  const ran: string[] = [];
  const broken: string[] = [];
  const refused: string[] = [];
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
      ran.push(`${route}: a dialog opened: ${dialog.message()}`);
      void dialog.dismiss();
    });
    page.on('pageerror', (error) => ran.push(`${route}: a script error: ${error.message}`));
    page.on('console', (message) => {
      // A response with an error status is logged as "Failed to load resource"; the responses are judged below.
      if (message.type() === 'error' && !/^Failed to load resource/.test(message.text())) ran.push(`${route}: the console says: ${message.text()}`);
    });
    page.on('response', (response) => {
      const where = `${route}: ${response.status()} ${response.url().slice(new URL(url).origin.length)}`;
      if (response.status() >= 500) broken.push(where);
      else if (response.status() >= 400) refused.push(where);
    });
    page.on('requestfailed', (request) => {
      // A request the page itself aborts (a route left before its data came) is not a failure.
      if (request.failure()?.errorText !== 'net::ERR_ABORTED') broken.push(`${route}: ${request.url()} failed (${request.failure()?.errorText})`);
    });
    page.on('request', (request) => {
      if (!request.url().startsWith(new URL(url).origin)) ran.push(`${route}: the page asked for ${request.url()}`);
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
      if (!ready) broken.push(`${route}: the page never said it was ready`);
      await touchEverything(page);
      for (const found of await page.evaluate(plantedOnPage, XSS_TITLE)) ran.push(`${route}: ${found}`);
      const links = await page.evaluate(() => [...(globalThis as any).document.querySelectorAll('a[href^="#/"]')].map((a: any) => a.getAttribute('href') as string));
      for (const link of links) {
        if (seen.has(link)) continue;
        seen.add(link);
        queue.push(link);
      }
    }
    if (queue.length > 0) broken.push(`more than ${maxPages} pages: ${queue.length} left unvisited (${queue.slice(0, 3).join(', ')}...)`);
  } finally {
    await browser.close();
  }
  return { visited, ran, broken, refused };
}
