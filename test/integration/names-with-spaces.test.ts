/**
 * STSFTW 1.0 allowed issuers and account names with spaces (its README's issuer is `Some Account`). On the
 * embedded broker over real HTTP, such names enroll, request, approve and mint on both APIs, and what reaches
 * AWS (RoleSessionName, SourceIdentity, session tags) is sanitised to what STS accepts.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../lambdas/core/sealing.js';
import { ApiClient, type BrokerProcess, enrollAll, startBroker } from '../support/broker-harness.js';
import { TotpCodes } from '../support/totp-codes.js';

const ISSUER = 'Some Account';
let dataDir: string;
let broker: BrokerProcess;
let api: ApiClient;
const codes = new TotpCodes();

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'stsftw-names-'));
  broker = await startBroker({ dataDir, approvalTimeoutSeconds: 600 });
  api = new ApiClient(broker.endpoint);
  const enrolled = await enrollAll(dataDir, ISSUER, [
    [{ accountName: 'Jane Doe' }, { accountName: 'José Núñez', roles: ['ReadOnly'] }],
    [{ accountName: 'Bob Smith', roles: ['Admin'], authorizers: ['Jane Doe'] }],
  ]);
  for (const e of enrolled) codes.add(e.accountName, e.otpauthUrl);
}, 180_000);

afterAll(async () => {
  await broker?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('names with inner spaces', () => {
  it('request and approval between "Bob Smith" and "Jane Doe" of "Some Account" mint', async () => {
    const { publicKey } = await generateKeyPair();
    const code = await codes.next('Bob Smith');
    const created = await api.create({
      issuer: ISSUER,
      accountName: 'Bob Smith',
      role: 'Admin',
      // Typed the way authenticator apps show it.
      totpCode: `${code.slice(0, 3)} ${code.slice(3)}`,
      publicKey,
    });
    expect(created.status, created.text).toBe(202);
    await api.waitFor(created.body.id, ['AWAITING_APPROVAL']);
    const approved = await api.approve(created.body.id, 'Jane Doe', ` ${await codes.next('Jane Doe')} `);
    expect(approved.status, approved.text).toBe(200);
    const { view } = await api.waitFor(created.body.id, ['MINTED']);
    expect(view).toMatchObject({ issuer: ISSUER, accountName: 'Bob Smith', approvedBy: 'Jane Doe' });
    const audit = (await readFile(String(broker.info.auditLog), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(audit).toContainEqual(
      expect.objectContaining({
        type: 'request.minted',
        issuer: ISSUER,
        accountName: 'Bob Smith',
        approvedBy: ['Jane Doe'],
      }),
    );
  });

  it('STSFTW 1.0\'s POST / mints for "José Núñez" of "Some Account"', async () => {
    const answer = await api.send('POST', '/', {
      json: {
        Issuer: ISSUER,
        AccountName: 'José Núñez',
        // Surrounding spaces, as a script reading a code from a file might send it.
        TOTPCode: ` ${await codes.next('José Núñez')}\n`,
        Role: 'ReadOnly',
        SecondaryAccountName: '',
        SecondaryTOTPCode: '',
      },
    });
    expect(answer.status, answer.text).toBe(200);
    expect(answer.body.AccessKeyId).toMatch(/^ASIA/);
  });
});
