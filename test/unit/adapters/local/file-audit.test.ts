import { mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileAudit, formatAuditLine } from '../../../../lambdas/adapters/local/file-audit.js';
import type { AuditEvent } from '../../../../lambdas/core/types.js';

const minted: AuditEvent = {
  type: 'request.minted',
  at: '2030-01-01T00:00:00.000Z',
  issuer: 'acme',
  accountName: 'alice@example.com',
  requestId: 'r_0123456789abcdefghjkmnpqrs',
  role: 'Admin',
  approvedBy: ['bob'],
  expiration: '2030-01-01T01:00:00.000Z',
};

let dir: string;
let path: string;
let consoleLines: string[];
let audit: FileAudit;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stsftw-audit-'));
  path = join(dir, 'audit.log');
  consoleLines = [];
  audit = new FileAudit(path, (line) => consoleLines.push(line));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

async function logLines() {
  return (await readFile(path, 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
}

describe('FileAudit', () => {
  it('appends published events as JSON lines in a 0600 file, with one console line each', async () => {
    await audit.publish(minted);
    await audit.publish({ type: 'account.locked', at: minted.at, issuer: 'acme', accountName: 'mallory' });
    expect(await logLines()).toEqual([
      minted,
      { type: 'account.locked', at: minted.at, issuer: 'acme', accountName: 'mallory' },
    ]);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(consoleLines).toEqual([
      'audit: request.minted alice@example.com → Admin (approved by bob) r_0123456789abcdefghjkmnpqrs',
      'audit: account.locked mallory (issuer acme)',
    ]);
  });

  it('appends state machine message bodies as one line each, in order', async () => {
    const denied = { ...minted, type: 'request.denied', approvedBy: undefined, deniedBy: 'bob', reason: 'not now' };
    await Promise.all([audit.append(JSON.stringify(minted, null, 2)), audit.append(JSON.stringify(denied))]);
    const lines = await logLines();
    expect(lines.map((l) => l.type)).toEqual(['request.minted', 'request.denied']);
    expect(consoleLines[1]).toBe(
      'audit: request.denied alice@example.com → Admin (denied by bob, reason: not now) r_0123456789abcdefghjkmnpqrs',
    );
  });

  it('keeps a message that is not a JSON object', async () => {
    await audit.append('plain text\nsecond line');
    expect(await logLines()).toEqual([{ message: 'plain text\nsecond line' }]);
  });

  it('fails (so the workflow does not release credentials) when the log cannot be written', async () => {
    const sub = join(dir, 'sub');
    const later = new FileAudit(join(sub, 'audit.log'), (line) => consoleLines.push(line));
    await expect(later.append(JSON.stringify(minted))).rejects.toThrow();
    expect(consoleLines).toEqual([]);
    // A failed write does not block later ones.
    await mkdir(sub);
    await expect(later.publish(minted)).resolves.toBeUndefined();
    expect(consoleLines).toHaveLength(1);
  });

  it('records the event even when the console line cannot be written', async () => {
    const quiet = new FileAudit(path, () => {
      throw new Error('EPIPE');
    });
    await expect(quiet.append(JSON.stringify(minted))).resolves.toBeUndefined();
    expect(await logLines()).toEqual([minted]);
  });
});

describe('formatAuditLine', () => {
  it.each([
    [{ ...minted, approvedBy: undefined, requestId: undefined }, 'audit: request.minted alice@example.com → Admin'],
    [
      { ...minted, approvedBy: [], requestId: undefined },
      'audit: request.minted alice@example.com → Admin (no approval needed)',
    ],
    [
      { ...minted, approvedBy: ['bob', 'carol'], requestId: undefined },
      'audit: request.minted alice@example.com → Admin (approved by bob, carol)',
    ],
    [
      {
        ...minted,
        type: 'request.approved',
        approvedBy: ['bob'],
        approvalCount: 1,
        approvalsRequired: 2,
        expiration: undefined,
        requestId: undefined,
      },
      'audit: request.approved alice@example.com → Admin (approved by bob, 1 of 2)',
    ],
    [
      {
        type: 'request.rejected',
        accountName: 'eve',
        role: 'Admin',
        error: { code: 'invalid_credentials', message: 'x' },
      },
      'audit: request.rejected eve → Admin (invalid_credentials)',
    ],
    [{ type: 'request.expired', accountName: 'alice', role: 'Admin' }, 'audit: request.expired alice → Admin'],
    [
      { type: 'account.locked', accountName: 'evil\u001b[2J', issuer: 'acme' },
      'audit: account.locked evil?[2J (issuer acme)',
    ],
  ] as const)('formats %o', (event, line) => {
    expect(formatAuditLine(event as Partial<AuditEvent>)).toBe(line);
  });
});
