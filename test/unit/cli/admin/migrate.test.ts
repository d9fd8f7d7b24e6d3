import { type AttributeValue, PutItemCommand, ScanCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import * as OTPAuth from 'otpauth';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { migrateTable, skipReasons } from '../../../../cli/admin/migration.js';
import type { SecretCipher } from '../../../../lambdas/core/ports.js';
import { type LocalBroker, runCli, startLocalBroker } from '../../../support/cli-harness.js';

const OLD = 'sts-v1';

function otpauthUrl(account: string, algorithm = 'SHA1'): string {
  return new OTPAuth.TOTP({
    issuer: 'acme',
    label: account,
    algorithm,
    secret: new OTPAuth.Secret({ size: 20 }),
  }).toString();
}

describe('sts migrate', () => {
  let broker: LocalBroker;
  const urls: Record<string, string> = {};
  const put = (item: Record<string, AttributeValue>) =>
    broker.client.send(new PutItemCommand({ TableName: OLD, Item: item }));
  const key = (name: string) => ({ issuer: { S: 'acme' }, account_name: { S: name } });

  beforeAll(async () => {
    broker = await startLocalBroker();
    await broker.createAuthTable(OLD);
    urls.alice = otpauthUrl('alice');
    urls.bob = otpauthUrl('bob');
    urls.erin = otpauthUrl('erin', 'SHA256');
    // Shapes STSFTW 1.0 wrote: plaintext url, lists as string sets or NULL (Go's nil slice).
    await put({
      ...key('alice'),
      url: { S: urls.alice },
      roles: { SS: ['admin', 'ro'] },
      secondary_authorization: { L: [{ S: 'bob' }] },
    });
    await put({
      ...key('bob'),
      url: { S: urls.bob },
      roles: { L: [{ S: 'x' }] },
      secondary_authorization: { NULL: true },
    });
    await put({ ...key('carol'), url: { S: '' }, roles: { L: [] } });
    await put({ ...key('erin'), url: { S: urls.erin }, roles: { L: [] }, secondary_authorization: { L: [] } });
    const done = await broker.cipher.encrypt(otpauthUrl('dave'), { issuer: 'acme', account_name: 'dave' });
    await put({ ...key('dave'), totp_secret: { S: done }, roles: { L: [] }, secondary_authorization: { L: [] } });
  });
  afterAll(async () => {
    await broker.close();
  });

  it('encrypts every plaintext url, removes it, and reports the counts', async () => {
    const result = await runCli(['migrate', ...broker.localArgs, '--table-name', OLD]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(
      `migrated 3, already done 1, skipped 1 (${skipReasons.noSecret}: acme/carol), cannot carry over 1.\n`,
    );
    expect(result.stderr).toBe(
      'cannot carry over acme/erin: Only TOTP with SHA1, 6 digits and a 30-second period is supported: it cannot sign in until `sts update device`.\n',
    );
    for (const name of ['alice', 'bob', 'erin']) {
      const item = await broker.rawItem('acme', name, OLD);
      expect(item?.url).toBeUndefined();
      const raw = JSON.stringify(item);
      expect(raw).not.toContain('otpauth');
      expect(raw).not.toContain(new URL(urls[name]).searchParams.get('secret'));
      expect(await broker.cipher.decrypt(item!.totp_secret.S!, { issuer: 'acme', account_name: name })).toBe(
        urls[name],
      );
      expect(item?.created_at?.S).toMatch(/^\d{4}-/);
    }
    const alice = await broker.rawItem('acme', 'alice', OLD);
    expect(alice?.roles).toEqual({ L: [{ S: 'admin' }, { S: 'ro' }] });
    expect(alice?.secondary_authorization).toEqual({ L: [{ S: 'bob' }] });
    expect((await broker.rawItem('acme', 'bob', OLD))?.secondary_authorization).toEqual({ L: [] });
    const carol = await broker.rawItem('acme', 'carol', OLD);
    expect(carol?.url).toBeUndefined();
    expect(carol?.totp_secret).toBeUndefined();
  });

  it('is idempotent', async () => {
    const result = await runCli(['migrate', ...broker.localArgs, '--table-name', OLD, '--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      migrated: 0,
      alreadyDone: 4,
      skipped: [{ issuer: 'acme', accountName: 'carol', reason: skipReasons.noSecret }],
      cannotCarryOver: [],
    });
  });

  it('skips an item that changes while it is migrated, without overwriting the change', async () => {
    const url = otpauthUrl('frank');
    await put({ ...key('frank'), url: { S: url }, roles: { L: [] } });
    const replaced = otpauthUrl('frank');
    // The cipher runs between the Scan and the conditional write: a 1.0 tool updates the device meanwhile.
    const racing: SecretCipher = {
      async encrypt(plaintext, context) {
        if (context.account_name === 'frank') {
          await broker.client.send(
            new UpdateItemCommand({
              TableName: OLD,
              Key: key('frank'),
              UpdateExpression: 'SET #url = :url',
              ExpressionAttributeNames: { '#url': 'url' },
              ExpressionAttributeValues: { ':url': { S: replaced } },
            }),
          );
        }
        return broker.cipher.encrypt(plaintext, context);
      },
      decrypt: broker.cipher.decrypt,
    };
    const report = await migrateTable(broker.client, OLD, racing);
    expect(report.skipped).toContainEqual({ issuer: 'acme', accountName: 'frank', reason: skipReasons.changed });
    expect((await broker.rawItem('acme', 'frank', OLD))?.url).toEqual({ S: replaced });

    const again = await runCli(['migrate', ...broker.localArgs, '--table-name', OLD]);
    expect(again.stdout).toMatch(/^migrated 1, already done 4, skipped 1 /);
    const frank = await broker.rawItem('acme', 'frank', OLD);
    expect(frank?.url).toBeUndefined();
    expect(await broker.cipher.decrypt(frank!.totp_secret.S!, { issuer: 'acme', account_name: 'frank' })).toBe(
      replaced,
    );
  });

  it('carries over 1.0 names with inner spaces, and lists every entry it cannot carry over with the reason', async () => {
    const table = 'sts-v1-names';
    await broker.createAuthTable(table);
    const item = (issuer: string, account: string, extra: Record<string, AttributeValue> = {}) =>
      broker.client.send(
        new PutItemCommand({
          TableName: table,
          Item: { issuer: { S: issuer }, account_name: { S: account }, url: { S: otpauthUrl(account) }, ...extra },
        }),
      );
    // STSFTW 1.0's README example issuer.
    await item('Some Account', 'Bob Smith', {
      roles: { L: [{ S: 'admin' }] },
      secondary_authorization: { L: [{ S: 'Jane Doe' }] },
    });
    await item('Some Account', ' padded');
    await item('Some Account', 'tab\there');
    await item('acme:prod', 'alice');
    await item('Some Account', 'roles', { roles: { L: [{ S: 'not a role' }, { N: '1' }] } });
    await item('Some Account', 'selfie', { secondary_authorization: { L: [{ S: 'selfie' }] } });

    const result = await runCli(['migrate', ...broker.localArgs, '--table-name', table, '--json']);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.migrated).toBe(6);
    const listed = report.cannotCarryOver.map(
      (i: { issuer: string; accountName: string }) => `${i.issuer}/${i.accountName}`,
    );
    expect(listed).not.toContain('Some Account/Bob Smith');
    expect(listed).toEqual(
      expect.arrayContaining([
        'Some Account/ padded',
        'Some Account/tab\there',
        'acme:prod/alice',
        'Some Account/roles',
        'Some Account/selfie',
      ]),
    );
    const reason = (account: string) =>
      report.cannotCarryOver
        .filter((i: { accountName: string }) => i.accountName === account)
        .map((i: { reason: string }) => i.reason)
        .join(' | ');
    expect(reason(' padded')).toMatch(/account name .*starts or ends with a space.*enroll it again/);
    expect(reason('tab\there')).toMatch(/control character/);
    expect(reason('alice')).toMatch(/issuer .*":" or "\/"/);
    expect(reason('roles')).toMatch(/"not a role" are not role names.*sts update roles/);
    expect(reason('roles')).toMatch(/1 of its roles were not text/);
    expect(reason('selfie')).toMatch(/authorizers "selfie"/);
    for (const entry of report.cannotCarryOver) {
      expect(result.stderr).toContain(`cannot carry over ${entry.issuer}/${entry.accountName}: ${entry.reason}.`);
    }
    // Encrypted all the same: no plaintext seed stays behind.
    expect((await broker.rawItem('Some Account', ' padded', table))?.url).toBeUndefined();
    // The entry with spaces is a normal 2.0 entry now: sts list shows it.
    const list = await runCli([
      'list',
      ...broker.localArgs,
      '--table-name',
      table,
      '--issuer',
      'Some Account',
      '--json',
    ]);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toContain('Bob Smith');
  });

  it('reads every page of a large table', async () => {
    const table = 'sts-v1-big';
    await broker.createAuthTable(table);
    for (let i = 0; i < 30; i++) {
      await broker.client.send(
        new PutItemCommand({
          TableName: table,
          // ~40 KB each: dynalite (like DynamoDB) stops a Scan page at 1 MB, so this needs two pages.
          Item: {
            issuer: { S: 'big' },
            account_name: { S: `u${i}` },
            url: { S: otpauthUrl(`u${i}`) },
            pad: { S: 'x'.repeat(40_000) },
          },
        }),
      );
    }
    const send = vi.spyOn(broker.client, 'send');
    const report = await migrateTable(broker.client, table, broker.cipher);
    const scans = send.mock.calls.filter(([command]) => command instanceof ScanCommand);
    send.mockRestore();
    expect(scans.length).toBeGreaterThan(1);
    expect(report).toMatchObject({ migrated: 30, alreadyDone: 0, skipped: [] });
  });
});
