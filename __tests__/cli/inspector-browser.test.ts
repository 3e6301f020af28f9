import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { launch, type Browser, type Page } from 'puppeteer-core';
import { createTestEvent, deliver } from 'converc-webhooks/testing';
import { cleanup, tempFolder, waitFor } from './helpers';
import { startApp, startRelay } from './relay-helpers';
import { describeRequiring } from '../fixtures/describe-requiring';

// Debian's chromium package; .ci/run installs it and exports CHROMIUM_PATH.
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Runs the suite in a real browser when Chromium is there; fails under CI without it; skips loudly elsewhere. */
function describeWithChromium(name: string, body: () => void): void {
  describeRequiring(
    name,
    {
      present: existsSync(CHROMIUM),
      needs: 'needs Chromium: CI must install it',
      ciError: `no Chromium at ${CHROMIUM}, but CI=true: .ci/run should have installed it (apt-get install chromium)`,
      howToRun: `no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`,
      missing: 'no Chromium',
    },
    body,
  );
}

describeWithChromium('the inspector (listen --ui) in headless Chromium', () => {
  jest.setTimeout(60_000);
  let browser: Browser | undefined;

  beforeAll(async () => {
    browser = await launch({
      executablePath: CHROMIUM,
      headless: true,
      // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
    });
  });
  afterAll(async () => {
    await browser?.close();
  });
  afterEach(cleanup);

  const rowOf = (id: string) => `tr.delivery[data-id="${id}"]`;
  const textOf = (page: Page, selector: string) => page.$eval(selector, (node) => node.textContent);

  it('shows deliveries live, highlights an invalid event\'s issue at its path, and resends to the app', async () => {
    if (browser === undefined) throw new Error('Chromium did not start');
    const app = await startApp();
    const relay = await startRelay(app.url, ['--ui']);
    const inspector = /Inspector on (\S+)/.exec(relay.cli.stdout())?.[1] ?? '';
    const downloads = tempFolder();
    const browserContext = await browser.createBrowserContext({ downloadBehavior: { policy: 'allow', downloadPath: downloads } });
    await browserContext.setPermission(
      new URL(inspector).origin,
      { permission: { name: 'clipboard-read' }, state: 'granted' },
      { permission: { name: 'clipboard-write' }, state: 'granted' },
    );
    const page = await browserContext.newPage();
    await page.setViewport({ width: 1100, height: 760 });
    await page.goto(inspector);
    await page.waitForFunction(() => document.getElementById('conn')?.textContent === '● live');
    expect(await page.$$('tr.delivery')).toHaveLength(0);

    // Three deliveries, one invalid; the page is not reloaded.
    const ended = createTestEvent('call.ended', { id: 'evt_ended' });
    const missed = createTestEvent('call.missed', { id: 'evt_missed' });
    const invalid = createTestEvent('call.accepted', { id: 'evt_invalid', data: { call: { id: '' } } });
    await deliver(relay.url, ended);
    await deliver(relay.url, missed);
    expect((await deliver(relay.url, invalid)).status).toBe(422);
    await page.waitForFunction(() => document.querySelectorAll('tr.delivery').length === 3);
    expect(await textOf(page, `${rowOf('evt_ended')} td.outcome`)).toBe('200 processed');
    expect(await textOf(page, `${rowOf('evt_invalid')} td.outcome`)).toBe('422 invalid_event');

    // The invalid one: its issue is highlighted where it is, in the JSON tree.
    await page.click(rowOf('evt_invalid'));
    const issue = await page.waitForSelector(`${rowOf('evt_invalid')} + tr.detail .tree.body .issue`);
    expect(await issue?.evaluate((node) => node.getAttribute('data-path'))).toBe('data.call.id');
    expect(await issue?.evaluate((node) => node.textContent)).toContain('must be a non-empty string');
    expect(await page.$$(`${rowOf('evt_invalid')} + tr.detail .issue`)).toHaveLength(1);
    expect(await textOf(page, `${rowOf('evt_invalid')} + tr.detail ul.issues`)).toContain('data.call.id: must be a non-empty string');

    // The filters: by outcome, then back to all.
    await page.select('#f-outcome', 'invalid_event');
    expect(await page.$$('tr.delivery')).toHaveLength(1);
    await page.select('#f-outcome', '');
    await page.select('#f-type', 'call.missed');
    expect(await page.$$eval('tr.delivery', (rows) => rows.map((row) => row.getAttribute('data-id')))).toEqual(['evt_missed']);
    await page.select('#f-type', '');

    // Resend the first one: the app has it already, and its answer appears on the row.
    await page.click(rowOf('evt_ended'));
    await page.click(`${rowOf('evt_ended')} + tr.detail button.resend`);
    await page.waitForFunction(
      (selector) => document.querySelector(selector)?.textContent === '200 duplicate (resent ×1)',
      {},
      `${rowOf('evt_ended')} td.outcome`,
    );
    expect(await textOf(page, `${rowOf('evt_ended')} + tr.detail .note`)).toBe('app answered 200 duplicate (resent ×1)');
    expect(app.requests.filter((request) => request.id === 'evt_ended')).toHaveLength(2);
    await waitFor(() => relay.cli.stdout().includes('resent from the inspector'), 'the resend line');

    // Copy as curl: the command on the clipboard sends the same body and X-IC-Id, and works.
    await page.click(`${rowOf('evt_ended')} + tr.detail button.copy`);
    await page.waitForFunction((selector) => document.querySelector(selector)?.textContent === 'copied', {}, `${rowOf('evt_ended')} + tr.detail .note`);
    const curl = await page.evaluate(() => navigator.clipboard.readText());
    expect(curl).toContain(`curl -X POST '${app.url}' -H 'Content-Type: application/json' -H 'X-IC-Id: evt_ended' --data-raw '{"id":"evt_ended"`);
    // Not execFileSync: the app answers from this process, whose event loop must keep running.
    const { stdout: answer } = await promisify(execFile)('sh', ['-c', `${curl} --silent --max-time 5`], { encoding: 'utf8' });
    expect(JSON.parse(answer)).toEqual({ received: true, id: 'evt_ended', status: 'duplicate' });

    // Save as fixture: the event, pretty-printed, named after its type and id.
    await page.click(`${rowOf('evt_ended')} + tr.detail button.save`);
    const fixture = join(downloads, 'call.ended-evt_ended.json');
    await waitFor(() => existsSync(fixture), 'the downloaded fixture');
    expect(readFileSync(fixture, 'utf8')).toBe(`${JSON.stringify(ended, null, 2)}\n`);

    // For the CLI guide (docs/inspector.png): INSPECTOR_SCREENSHOT=docs/inspector.png npx jest inspector-browser
    const screenshot = process.env.INSPECTOR_SCREENSHOT;
    if (screenshot !== undefined && screenshot !== '') {
      await page.click(rowOf('evt_ended'));
      for (const path of ['data.contact', 'data.qualificationAnswers', 'data.recording']) {
        await page.$$eval(`${rowOf('evt_invalid')} + tr.detail details[data-path="${path}"]`, (nodes) => {
          for (const node of nodes) node.open = false;
        });
      }
      await page.screenshot({ path: screenshot, fullPage: true });
    }
    await browserContext.close();
    expect(await relay.stop()).toBe(0);
  });
});
