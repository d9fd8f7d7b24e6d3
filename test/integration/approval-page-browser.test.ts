/**
 * The approval page in a real browser (issue 10 §2): Debian's Chromium, headless, against the embedded
 * broker as `sts server` runs it. The end-to-end run is the issue's "done when": `sts request` on device A,
 * the webhook receiver gets the event, the approver opens its `approveUrl`, types a code and approves, and
 * device A prints the credentials. Then deny with a reason, a wrong code, already decided, expired and
 * escaping. Scripts are off in the browser except where a test needs them to prove nothing ran.
 * Nothing here is timed: limits only turn a hang into a failure.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../lambdas/core/sealing.js';
import { ApiClient, type BrokerProcess, enrollAll, startBroker } from '../support/broker-harness.js';
import { type Browser, launchChromium, PHONE } from '../support/browser.js';
import { describeRun, ensureBundle, makeUser, spawnSts } from '../support/cli-harness.js';
import { TotpCodes } from '../support/totp-codes.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

const ISSUER = 'acme';
const ROLE = 'Admin';
const APPROVERS = ['bob', 'carol', 'dave', 'erin', 'frank'];
const REQUESTERS = ['alice1', 'alice2', 'alice3', 'alice4', 'alice5'];

let root: string;
let broker: BrokerProcess;
let shortBroker: BrokerProcess;
let api: ApiClient;
let receiver: WebhookReceiver;
let browser: Browser;
let scripted: Browser;
const codes = new TotpCodes();

beforeAll(async () => {
  ensureBundle();
  root = await mkdtemp(join(tmpdir(), 'stsftw-page-'));
  receiver = await startWebhookReceiver();
  [broker, shortBroker, browser, scripted] = await Promise.all([
    startBroker({
      dataDir: join(root, 'broker'),
      approvalTimeoutSeconds: 600,
      extraArgs: ['--notify-url', receiver.url],
    }),
    startBroker({ dataDir: join(root, 'short'), approvalTimeoutSeconds: 3 }),
    launchChromium({ javaScriptEnabled: false }),
    launchChromium({ javaScriptEnabled: true }),
  ]);
  api = new ApiClient(broker.endpoint);
  const enrolled = await Promise.all([
    enrollAll(broker.dataDir, ISSUER, [
      APPROVERS.map((accountName) => ({ accountName })),
      REQUESTERS.map((accountName) => ({ accountName, roles: [ROLE], authorizers: APPROVERS })),
    ]),
    enrollAll(shortBroker.dataDir, ISSUER, [
      [{ accountName: 'oscar' }],
      [{ accountName: 'alice9', roles: [ROLE], authorizers: ['oscar'] }],
    ]),
  ]);
  for (const e of enrolled.flat()) codes.add(e.accountName, e.otpauthUrl);
}, 240_000);

afterAll(async () => {
  await Promise.all([broker?.stop(), shortBroker?.stop(), browser?.close(), scripted?.close(), receiver?.close()]);
  if (root) await rm(root, { recursive: true, force: true });
});

/** A request of `accountName` that waits for approval, made through the JSON API. */
async function waitingRequest(
  on: ApiClient,
  accountName: string,
  reason?: string,
): Promise<{ id: string; verificationCode: string }> {
  const { publicKey } = await generateKeyPair();
  const created = await on.create({
    issuer: ISSUER,
    accountName,
    role: ROLE,
    totpCode: await codes.next(accountName),
    publicKey,
    ...(reason !== undefined && { reason }),
  });
  expect(created.status, created.text).toBe(202);
  await on.waitFor(created.body.id, ['AWAITING_APPROVAL']);
  return { id: created.body.id, verificationCode: created.body.verificationCode };
}

/** The webhook's `request.awaiting_approval` event for request `id`. */
async function awaitingEvent(id: string): Promise<Record<string, any>> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const post = receiver.posts.find(
      (p) => p.body?.event?.requestId === id && p.body.event.type === 'request.awaiting_approval',
    );
    if (post) return post.body.event;
    if (Date.now() > deadline) throw new Error(`no awaiting_approval event for ${id}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Opens `url`; returns the page and the HTTP status of its document. */
async function open(on: Browser, url: string): Promise<{ page: Page; status: number }> {
  const page = await on.context.newPage();
  const response = await page.goto(url);
  if (!response) throw new Error(`no response for ${url}`);
  return { page, status: response.status() };
}

/** Fills the form and presses `decision`; returns the status of the page that answers. */
async function submit(
  page: Page,
  fields: { accountName: string; totpCode: string; reason?: string },
  decision: 'Approve' | 'Deny',
): Promise<number> {
  await page.fill('input[name=accountName]', fields.accountName);
  await page.fill('input[name=totpCode]', fields.totpCode);
  if (fields.reason !== undefined) await page.fill('textarea[name=reason]', fields.reason);
  const [response] = await Promise.all([
    page.waitForNavigation(),
    page.click(`button[name=decision][value=${decision.toLowerCase()}]`),
  ]);
  if (!response) throw new Error('the form did not navigate');
  return response.status();
}

const notice = (page: Page) => page.locator('.notice').textContent();

describe('the approval page in Chromium', () => {
  it('end to end: sts request → webhook → approveUrl in the browser → approve → device A prints credentials', async () => {
    const requester = makeUser(join(root, 'homes'), 'alice1');
    const request = spawnSts(
      [
        'request',
        '--local',
        '--data-dir',
        broker.dataDir,
        '--issuer',
        ISSUER,
        '--account-name',
        'alice1',
        '--role',
        ROLE,
        '--totp-code',
        await codes.next('alice1'),
      ],
      requester,
    );
    const id = (await request.waitForStderr(/Request (r_[0-9a-z]{26})\b/))[1];
    const printedCode = (await request.waitForStderr(/verification code\s+(\S+)/))[1];
    const printedLink = (await request.waitForStderr(/or opens\s+(\S+)/))[1];

    const event = await awaitingEvent(id);
    expect(event.approveUrl).toBe(`${broker.endpoint}/approve/${id}`);
    expect(printedLink).toBe(event.approveUrl);

    const { page, status } = await open(browser, event.approveUrl);
    expect(status).toBe(200);
    expect(await page.locator('.vcode').textContent()).toBe(printedCode);
    expect(await page.locator('.lede').textContent()).toBe(`alice1 (${ISSUER}) asks for ${ROLE} for 1 h.`);
    expect(await submit(page, { accountName: 'bob', totpCode: await codes.next('bob') }, 'Approve')).toBe(200);
    expect(await notice(page)).toContain('Approved.');
    // The code went in the POST body only: no URL the browser visited holds it.
    expect(page.url()).toBe(event.approveUrl);

    const run = await request.done;
    expect(run.code, describeRun(run)).toBe(0);
    expect(run.stdout).toMatch(/^export AWS_ACCESS_KEY_ID=ASIALOCAL[A-Z0-9]+$/m);
    expect(run.stdout).toMatch(/^export AWS_SESSION_TOKEN=\S+$/m);
    await page.close();
  });

  it('sends the strict headers and sets no cookie; the page fits a phone without sideways scrolling', async () => {
    const { id } = await waitingRequest(api, 'alice2', 'deploy hotfix INC-4711 to production');
    const page = await browser.context.newPage();
    const response = await page.goto(`${broker.endpoint}/approve/${id}`);
    const headers = response?.headers() ?? {};
    expect(headers['content-security-policy']).toMatch(
      /^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/]+=*'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'$/,
    );
    expect(headers['referrer-policy']).toBe('no-referrer');
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['cache-control']).toBe('no-store');
    expect(await browser.context.cookies()).toEqual([]);
    const width = await page.evaluate<number>('document.documentElement.scrollWidth');
    expect(width).toBeLessThanOrEqual(PHONE.width);
    // The hashed stylesheet applied (a blocked one would leave the browser's grey default button).
    const background = await page.evaluate<string>(
      "getComputedStyle(document.querySelector('button[value=deny]')).backgroundColor",
    );
    expect(background).not.toBe('rgb(239, 239, 239)');
    // `npm run screenshot` keeps this phone-width picture for the README.
    const shots = process.env.STS_SCREENSHOT_DIR;
    if (shots) await page.screenshot({ path: join(shots, 'approval-page.png'), fullPage: true });
    await page.close();
  });

  it('denies with a reason, which the requester reads', async () => {
    const { id } = await waitingRequest(api, 'alice3');
    const { page } = await open(browser, `${broker.endpoint}/approve/${id}`);
    const status = await submit(
      page,
      { accountName: 'carol', totpCode: await codes.next('carol'), reason: 'not during the freeze' },
      'Deny',
    );
    expect(status).toBe(200);
    expect(await notice(page)).toContain('Denied.');
    const { view } = await api.waitFor(id, ['DENIED']);
    expect(view).toMatchObject({ deniedBy: 'carol', denialReason: 'not during the freeze' });
    await page.close();
  });

  it('refuses a wrong code on the same page, keeps the name, and then takes the right one', async () => {
    const { id } = await waitingRequest(api, 'alice4');
    const { page } = await open(browser, `${broker.endpoint}/approve/${id}`);
    const right = await codes.next('dave');
    const wrong = right === '000000' ? '111111' : '000000';
    expect(await submit(page, { accountName: 'dave', totpCode: wrong }, 'Approve')).toBe(401);
    expect(await notice(page)).toContain('The account name or TOTP code is not valid.');
    expect(await page.inputValue('input[name=accountName]')).toBe('dave');
    expect(await page.inputValue('input[name=totpCode]')).toBe('');
    expect((await api.get(id)).body.status).toBe('AWAITING_APPROVAL');
    expect(await submit(page, { accountName: 'dave', totpCode: right }, 'Approve')).toBe(200);
    expect(await notice(page)).toContain('Approved.');
    await api.waitFor(id, ['MINTED']);
    await page.close();
  });

  it('says a request was already decided, on submitting a stale page and on opening it again', async () => {
    const { id } = await waitingRequest(api, 'alice5');
    const url = `${broker.endpoint}/approve/${id}`;
    const { page } = await open(browser, url);
    const approved = await api.approve(id, 'erin', await codes.next('erin'));
    expect(approved.status, approved.text).toBe(200);
    expect(await submit(page, { accountName: 'frank', totpCode: await codes.next('frank') }, 'Approve')).toBe(409);
    expect(await notice(page)).toContain('This request has already been decided.');
    expect(await page.locator('form').count()).toBe(0);
    await api.waitFor(id, ['MINTED']);
    const again = await open(browser, url);
    expect(again.status).toBe(410);
    expect(await notice(again.page)).toContain('No longer waiting for a decision.');
    await Promise.all([page.close(), again.page.close()]);
  });

  it('says a request expired, on submitting a page left open past the deadline and on opening it', async () => {
    const short = new ApiClient(shortBroker.endpoint);
    const { id } = await waitingRequest(short, 'alice9');
    const url = `${shortBroker.endpoint}/approve/${id}`;
    const { page } = await open(browser, url);
    await short.waitFor(id, ['EXPIRED']);
    expect(await submit(page, { accountName: 'oscar', totpCode: await codes.next('oscar') }, 'Approve')).toBe(410);
    expect(await notice(page)).toContain('This request has expired.');
    const again = await open(browser, url);
    expect(again.status).toBe(410);
    expect(await notice(again.page)).toContain('It expired before enough approvers decided.');
    await Promise.all([page.close(), again.page.close()]);
  });

  it('shows a hostile reason as text: no script runs, no element is injected, the policy is not tripped', async () => {
    const reason = `<script>window.pwned=1</script>"><img src=x onerror="window.pwned=2"> '&`;
    const { id } = await waitingRequest(api, 'alice2', reason);
    const page = await scripted.context.newPage();
    const violations: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
    });
    const response = await page.goto(`${broker.endpoint}/approve/${id}`);
    expect(response?.status()).toBe(200);
    expect(await page.locator('dd').first().textContent()).toBe(reason);
    expect(await page.locator('main img, main script').count()).toBe(0);
    expect(await page.evaluate<unknown>('window.pwned')).toBeUndefined();
    expect(violations).toEqual([]);
    await page.close();
  });

  it('answers an unknown request with a 404 page', async () => {
    const { page, status } = await open(browser, `${broker.endpoint}/approve/r_0123456789abcdefghjkmnpqrs`);
    expect(status).toBe(404);
    expect(await page.locator('h1').textContent()).toBe('Not found');
    expect(await notice(page)).toBe('No such request.');
    await page.close();
  });
});
