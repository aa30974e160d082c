import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { submit } from '../e2e/deliver-harness.js';
import { ADMIN_LOGIN, ADMIN_PASSWORD, CLIENT_LOGIN, CLIENT_PASSWORD, startWebNode, type WebNode } from '../e2e/web-harness.js';

/**
 * The web pages in headless Chromium (Debian's chromium, driven by playwright-core) against a whole
 * node (SQLite, SMSC simulator): a client logs in, sends a message during the test and sees it reach
 * "delivered" on the live page without a reload, opens its history, downloads a CSV report and
 * switches to Russian; an operator logs in to the dashboard and sees the bind.
 */
const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/**
 * The page's document as functions that run in the page see it (the project compiles without DOM
 * types; Playwright sends those functions' source to the page, where `globalThis.document` exists).
 */
interface PageGlobals {
  readonly document: { querySelectorAll(selector: string): ArrayLike<{ readonly textContent: string | null }> };
}

if (!existsSync(CHROMIUM)) {
  process.stdout.write(`# browser tests not run: ${CHROMIUM} is missing (test/services.sh installs Debian's chromium as root)\n`);
} else {
  let web: WebNode;
  let profile: string;
  let browser: BrowserContext;

  before(async () => {
    web = await startWebNode();
    profile = mkdtempSync(join(tmpdir(), 'smsproc-chromium-'));
    browser = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: ARGS, headless: true, acceptDownloads: true });
  });

  after(async () => {
    await browser?.close();
    await web?.close();
    if (profile !== undefined) rmSync(profile, { recursive: true, force: true });
  });

  async function logIn(page: Page, path: string, username: string, password: string): Promise<void> {
    await page.goto(`${web.baseUrl}${path}/login?lang=en`);
    await page.fill('input[name="username"]', username);
    await page.fill('input[name="password"]', password);
    await Promise.all([page.waitForURL(`${web.baseUrl}${path}`), page.click('button[type="submit"]')]);
  }

  test('browser: a client sees a message sent now reach "delivered" live, opens its history and downloads a CSV report', { timeout: 60_000 }, async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    await logIn(page, '/stats', CLIENT_LOGIN, CLIENT_PASSWORD);
    assert.match(await page.textContent('h1') ?? '', /smsproc statistics/);
    const acceptedBefore = Number(await page.textContent('[data-k="accepted"]'));

    const sent = await submit(web.baseUrl, { to: '79161119999', text: 'browser test' });
    await page.waitForFunction((id) => Array.from((globalThis as unknown as PageGlobals).document.querySelectorAll('[data-table="recent"] tr'))
      .some((row) => (row.textContent ?? '').includes(id) && (row.textContent ?? '').includes('delivered')), sent.id, { timeout: 20_000 });
    assert.ok(Number(await page.textContent('[data-k="accepted"]')) >= acceptedBefore + 1, 'the figures moved without a reload');
    assert.equal(await page.getAttribute('body', 'data-live-updated') === null, false);

    await Promise.all([page.waitForURL(`**/stats/messages/${sent.id}`), page.click(`a[href="/stats/messages/${sent.id}"]`)]);
    assert.equal(await page.textContent('[data-fact="status"]'), 'delivered');
    const history = await page.$$eval('[data-table="history"] tr td:nth-child(2)', (cells) => cells.map((cell) => cell.textContent));
    assert.deepEqual(history, ['accepted', 'submitted', 'delivered']);

    await page.goto(`${web.baseUrl}/stats`);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#report-status')]);
    assert.match(download.suggestedFilename(), /^smsproc-status-.*\.csv$/);
    const csv = readFileSync(await download.path(), 'utf8').split('\r\n');
    assert.equal(csv[0], 'status,messages,segments,delivered,failed,expired,pending');
    const delivered = csv.find((line) => line.startsWith('delivered,'))?.split(',');
    assert.ok(delivered !== undefined && Number(delivered[1]) >= 1, csv.join('\n'));

    await page.selectOption('select[name="lang"]', 'ru');
    await Promise.all([page.waitForLoadState('load'), page.click('form[action="/stats/lang"] button')]);
    await page.waitForSelector('html[lang="ru"]');
    assert.match(await page.textContent('body') ?? '', /Доставлено/);

    await Promise.all([page.waitForURL('**/stats/login'), page.click('#logout')]);
    await page.goto(`${web.baseUrl}/stats`);
    assert.match(page.url(), /\/stats\/login$/, 'logged out: the page asks to log in again');
    assert.deepEqual(problems, [], 'no script errors, no CSP violations');
    await page.close();
  });

  test('browser: an operator logs in to the dashboard and sees this node\'s bind, its owner in the cluster section, and queues, updated live', { timeout: 60_000 }, async () => {
    const page = await browser.newPage();
    await page.goto(`${web.baseUrl}/admin`);
    assert.match(page.url(), /\/admin\/login$/);
    await logIn(page, '/admin', ADMIN_LOGIN, ADMIN_PASSWORD);
    assert.match(await page.textContent('[data-table="binds"]') ?? '', /route\/sim\/bind\/0\s*e2e-\d+\s*bound/);
    assert.equal(await page.textContent('[data-k="health"]'), 'ok');
    assert.match(await page.textContent('[data-k="clusterNote-en"]') ?? '', /^Current\. Local coordinator/);
    assert.match(await page.textContent('[data-table="bindOwners"]') ?? '', /route\/sim\/bind\/0\s*e2e-\d+\s*\d+\s*yes/);
    const first = await page.textContent('[data-k="at"]');
    await page.waitForFunction((before) => (globalThis as unknown as PageGlobals).document.querySelectorAll('[data-k="at"]')[0]?.textContent !== before, first, { timeout: 10_000 });
    assert.match(await page.textContent('[data-table="clients"]') ?? '', /acme/);
    await page.close();
  });
}
