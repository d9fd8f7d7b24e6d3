/**
 * Approval notifications on the embedded broker (issue 10, first part): `sts server --notify-url` POSTs
 * `{text, event}` to a local receiver when a request starts waiting and when it ends, the console shows the
 * same paragraph, and the approver command in the event runs as printed once `<you>` is filled in.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../lambdas/core/sealing.js';
import { ApiClient, type BrokerProcess, enrollAll, runSts, startBroker } from '../support/broker-harness.js';
import { TotpCodes } from '../support/totp-codes.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

const ISSUER = 'acme';
let dataDir: string;
let broker: BrokerProcess;
let api: ApiClient;
let receiver: WebhookReceiver;
const codes = new TotpCodes();

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'stsftw-notify-'));
  receiver = await startWebhookReceiver();
  broker = await startBroker({ dataDir, approvalTimeoutSeconds: 600, extraArgs: ['--notify-url', receiver.url] });
  api = new ApiClient(broker.endpoint);
  const enrolled = await enrollAll(dataDir, ISSUER, [
    [{ accountName: 'bob' }],
    [{ accountName: 'alice', roles: ['Admin'], authorizers: ['bob'] }],
  ]);
  for (const e of enrolled) codes.add(e.accountName, e.otpauthUrl);
}, 180_000);

afterAll(async () => {
  await broker?.stop();
  await receiver?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function waitingRequest(reason: string): Promise<string> {
  const { publicKey } = await generateKeyPair();
  const created = await api.create({
    issuer: ISSUER,
    accountName: 'alice',
    role: 'Admin',
    totpCode: await codes.next('alice'),
    publicKey,
    reason,
  });
  expect(created.status, created.text).toBe(202);
  await api.waitFor(created.body.id, ['AWAITING_APPROVAL']);
  return created.body.id;
}

describe('sts server --notify-url', () => {
  it('posts the waiting request to the webhook, whose approver command runs as printed', async () => {
    const id = await waitingRequest('deploy hotfix');
    const [post] = await receiver.waitFor(1);
    expect(post.contentType).toBe('application/json');
    expect(post.body.event).toMatchObject({
      type: 'request.awaiting_approval',
      requestId: id,
      requester: 'alice',
      role: 'Admin',
      reason: 'deploy hotfix',
      approvers: ['bob'],
    });
    // The link to the broker's approval page, also in the paragraph (the page itself: approval-page-browser).
    expect(post.body.event.approveUrl).toBe(`${broker.endpoint}/approve/${id}`);
    expect(post.body.text).toContain(`Decide at ${broker.endpoint}/approve/${id} or \``);
    expect(post.body.text).toContain('alice (acme) asks for Admin');
    expect(broker.output()).toContain(`notify: ${post.body.text}`);
    // The line as printed, with the approver's name for <you> (and, for a script, the code and --yes).
    const command: string = post.body.event.approveCommand;
    expect(command).toBe(`sts approve ${id} --endpoint ${broker.endpoint} --issuer acme --account-name <you>`);
    const args = command.replace('<you>', 'bob').split(' ').slice(1);
    const run = await runSts([...args, '--yes', '--totp-code', await codes.next('bob')]);
    expect(run.code, run.stderr).toBe(0);
    await api.waitFor(id, ['MINTED']);
    const [, minted] = await receiver.waitFor(2);
    expect(minted.body.event).toMatchObject({ type: 'request.minted', requestId: id, approvedBy: ['bob'] });
    expect(minted.body.text).toBe(`alice (acme) received credentials for Admin (request ${id}). Approved by bob.`);
  });

  it('tells the webhook how a request ended, and never sends a code', async () => {
    const before = receiver.posts.length;
    const id = await waitingRequest('not today');
    const bobCode = await codes.next('bob');
    const denied = await api.deny(id, 'bob', bobCode, 'no ticket');
    expect(denied.status, denied.text).toBe(200);
    const posts = await receiver.waitFor(before + 2);
    const mine = posts.filter((p) => p.body.event.requestId === id).map((p) => p.body.event);
    expect(mine.map((e) => e.type)).toEqual(['request.awaiting_approval', 'request.denied']);
    expect(mine[1]).toMatchObject({ deniedBy: 'bob' });
    expect(JSON.stringify(posts)).not.toContain(bobCode);
    // The webhook URL is a credential: neither the console nor the server log shows it.
    expect(broker.output()).not.toContain(receiver.url);
    expect(await readFile(join(dataDir, 'server.log'), 'utf8')).not.toContain(receiver.url);
  });
});

describe('sts server --notify-url refusals', () => {
  it('refuses a URL that is not http(s), before starting anything', async () => {
    const run = await runSts([
      'server',
      '--data-dir',
      join(dataDir, 'other'),
      '--port',
      '0',
      '--notify-url',
      'ftp://x',
    ]);
    expect(run.code).toBe(64);
    expect(run.stderr).toBe('sts: --notify-url must be an absolute http:// or https:// URL.\n');
  });
});
