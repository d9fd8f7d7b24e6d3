/**
 * The approval page (issue 10 §2) over the real broker and in-memory ports: what it shows, its headers,
 * the form's decisions with the JSON API's rules (wrong code, not an approver, self-approval, lockout,
 * already decided, expired), and the escaping of other people's text.
 */
import { createHash } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../../lambdas/api/app.js';
import { createBroker } from '../../../lambdas/core/broker.js';
import { generateKeyPair } from '../../../lambdas/core/sealing.js';
import { enroll, memoryPorts, totpCode } from '../../support/memory.js';

const ISSUER = 'acme';
const FORM = { 'Content-Type': 'application/x-www-form-urlencoded' };

async function setup() {
  const ports = memoryPorts('2030-01-01T00:00:10.000Z');
  const broker = createBroker({
    ...ports,
    config: { partition: 'aws', approvalTimeoutSeconds: 900, maxSessionSeconds: 3600, requestRetentionSeconds: 86_400 },
  });
  const urls = {
    alice: await enroll(ports.auth, ports.cipher, {
      issuer: ISSUER,
      accountName: 'alice',
      roles: ['admin', 'ops'],
      secondaryAuthorization: ['bob', 'carol'],
      approvalRules: [{ role: 'ops', approvals: 2 }],
    }),
    bob: await enroll(ports.auth, ports.cipher, { issuer: ISSUER, accountName: 'bob' }),
    carol: await enroll(ports.auth, ports.cipher, { issuer: ISSUER, accountName: 'carol' }),
    dave: await enroll(ports.auth, ports.cipher, { issuer: ISSUER, accountName: 'dave' }),
  };
  const code = (who: keyof typeof urls, offset = 0) => totpCode(urls[who], ports.clock.now(), offset);
  const app = createApp({ broker, log: () => {}, now: () => ports.clock.now().getTime() });

  async function waiting(options: { reason?: string; role?: string; approvals?: number } = {}) {
    const { publicKey } = await generateKeyPair();
    const { id, verificationCode } = await broker.createRequest({
      issuer: ISSUER,
      accountName: 'alice',
      role: options.role ?? 'admin',
      publicKey,
      totpCode: code('alice'),
      durationSeconds: 1800,
      ...(options.reason !== undefined && { reason: options.reason }),
    });
    await ports.requests.transition(id, ['VERIFYING'], 'AWAITING_APPROVAL', {
      taskToken: `token-${id}`,
      approvalsRequired: options.approvals ?? 1,
    });
    return { id, verificationCode };
  }

  const page = (id: string) => app.request(`/approve/${id}`);
  const decide = (id: string, fields: Record<string, string>, headers: Record<string, string> = FORM) =>
    app.request(`/approve/${id}`, { method: 'POST', headers, body: new URLSearchParams(fields).toString() });
  return { ...ports, broker, app, code, waiting, page, decide };
}

let t: Awaited<ReturnType<typeof setup>>;
beforeEach(async () => {
  t = await setup();
});

/** The text of a page with its tags removed, for reading sentences. */
function text(html: string): string {
  return html
    .replace(/<style>[\s\S]*?<\/style>/, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ');
}

describe('GET /approve/{id}', () => {
  it('shows who asks for what, the reason, the verification code, deadline and approvals, and the form', async () => {
    const { id, verificationCode } = await t.waiting({ reason: 'deploy hotfix' });
    const res = await t.page(id);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=UTF-8');
    const html = await res.text();
    const shown = text(html);
    expect(shown).toContain('alice (acme) asks for admin for 30 min.');
    expect(shown).toContain('Reason deploy hotfix');
    expect(html).toContain(`<dd class="vcode">${verificationCode}</dd>`);
    expect(shown).toContain('Decide by 2030-01-01 00:15 UTC (in 15 min)');
    expect(shown).toContain('Approvals 0 of 1');
    expect(html).toContain(`<form method="post" action="${id}">`);
    expect(html).toMatch(/<input id="accountName" name="accountName"/);
    expect(html).toMatch(
      /<input id="totpCode" name="totpCode" required inputmode="numeric" autocomplete="one-time-code"/,
    );
    expect(html).toContain('<textarea id="reason" name="reason"');
    expect(html).toContain('<button type="submit" name="decision" value="approve">');
    expect(html).toContain('<button type="submit" name="decision" value="deny" class="deny">');
    expect(html).not.toMatch(/<script|<link|<img|style="/);
  });

  it('sends a strict policy: only its own hashed stylesheet, no framing, no referrer, no cache, no cookie', async () => {
    const { id } = await t.waiting();
    const res = await t.page(id);
    const html = await res.text();
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)?.[1] ?? '';
    expect(style).toContain('font:16px/1.5 system-ui,-apple-system,"Segoe UI"'); // inserted unescaped
    const hash = createHash('sha256').update(style, 'utf8').digest('base64');
    expect(res.headers.get('content-security-policy')).toBe(
      `default-src 'none'; style-src 'sha256-${hash}'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
    );
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('set-cookie')).toBeNull();
  });

  it('keeps the API policy on everything that is not a page', async () => {
    const res = await t.app.request('/v1/health');
    expect(res.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
  });

  it('escapes the requester’s reason: a script or a broken-out attribute stays text', async () => {
    const reason = `<script>alert(1)</script> "><img src=x onerror=alert(2)> 'x'&`;
    const { id } = await t.waiting({ reason });
    const html = await (await t.page(id)).text();
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img');
    expect(html).toContain(
      '&lt;script&gt;alert(1)&lt;/script&gt; &quot;&gt;&lt;img src=x onerror=alert(2)&gt; &#39;x&#39;&amp;',
    );
  });

  it('answers an unknown or malformed id with a 404 page that says no more than the API', async () => {
    for (const id of ['r_0123456789abcdefghjkmnpqrs', 'nope', '%3Cscript%3E']) {
      const res = await t.page(id);
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toBe('text/html; charset=UTF-8');
      expect(res.headers.get('content-security-policy')).toMatch(/^default-src 'none'; style-src 'sha256-/);
      const html = await res.text();
      expect(text(html)).toContain('Not found No such request.');
      expect(html).not.toContain('<script');
    }
  });

  it('answers a finished request with 410 and what became of it, without a form', async () => {
    const { id } = await t.waiting();
    await t.broker.deny(id, { accountName: 'bob', totpCode: t.code('bob') });
    const res = await t.page(id);
    expect(res.status).toBe(410);
    const html = await res.text();
    expect(text(html)).toContain('No longer waiting for a decision. It was denied by bob.');
    expect(html).not.toContain('<form');
  });

  it('asks to reload while the requester is still being verified', async () => {
    const { publicKey } = await generateKeyPair();
    const { id } = await t.broker.createRequest({
      issuer: ISSUER,
      accountName: 'alice',
      role: 'admin',
      publicKey,
      totpCode: t.code('alice'),
    });
    const res = await t.page(id);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('<meta http-equiv="refresh" content="2">');
    expect(html).not.toContain('<form');
  });
});

describe('POST /approve/{id}', () => {
  it('approves with the approver’s code: the workflow resumes, the page says so', async () => {
    const { id } = await t.waiting();
    const res = await t.decide(id, { accountName: 'bob', totpCode: t.code('bob'), reason: '', decision: 'approve' });
    expect(res.status).toBe(200);
    expect(text(await res.text())).toContain('Approved. The credentials are being issued to the requester.');
    expect(t.workflow.approvals).toEqual([{ taskToken: `token-${id}`, output: { approvedBy: 'bob' } }]);
    expect((await t.broker.getRequest(id)).status).toBe('APPROVED');
  });

  it('counts one approval of a quorum and says how many remain', async () => {
    const { id } = await t.waiting({ role: 'ops', approvals: 2 });
    const res = await t.decide(id, { accountName: 'bob', totpCode: t.code('bob'), decision: 'approve' });
    expect(res.status).toBe(200);
    const shown = text(await res.text());
    expect(shown).toContain('Your approval is counted. The request needs one more approval from the other approvers.');
    expect(shown).toContain('Approvals 1 of 2: bob');
    expect(t.workflow.approvals).toEqual([]);
    const again = await t.decide(id, { accountName: 'bob', totpCode: t.code('bob', 1), decision: 'approve' });
    expect(again.status).toBe(409);
    expect(text(await again.text())).toContain('Already approved Your approval of this request is already counted');
  });

  it('denies with a reason, which the requester then reads', async () => {
    const { id } = await t.waiting();
    const res = await t.decide(id, {
      accountName: 'bob',
      totpCode: t.code('bob'),
      reason: 'not during the freeze',
      decision: 'deny',
    });
    expect(res.status).toBe(200);
    expect(text(await res.text())).toContain('Denied. No credentials will be issued');
    const view = await t.broker.getRequest(id);
    expect(view).toMatchObject({ status: 'DENIED', deniedBy: 'bob', denialReason: 'not during the freeze' });
  });

  it('refuses a wrong code with 401, keeps the name, never echoes the code, and leaves the request waiting', async () => {
    const { id } = await t.waiting();
    const wrong = t.code('bob') === '000000' ? '111111' : '000000';
    const res = await t.decide(id, { accountName: 'bob', totpCode: wrong, decision: 'approve' });
    expect(res.status).toBe(401);
    const html = await res.text();
    expect(text(html)).toContain('Invalid credentials The account name or TOTP code is not valid.');
    expect(html).toContain('name="accountName" value="bob"');
    expect(html).not.toContain(wrong);
    expect(html).toContain('<form');
    expect((await t.broker.getRequest(id)).status).toBe('AWAITING_APPROVAL');
  });

  it('applies the approver rules: not an approver, self-approval', async () => {
    const { id } = await t.waiting();
    const notApprover = await t.decide(id, { accountName: 'dave', totpCode: t.code('dave'), decision: 'approve' });
    expect(notApprover.status).toBe(403);
    expect(text(await notApprover.text())).toContain('Not an approver This account may not approve this request.');
    const self = await t.decide(id, { accountName: 'alice', totpCode: t.code('alice', 1), decision: 'deny' });
    expect(self.status).toBe(403);
    expect(text(await self.text())).toContain('Self-approval');
    expect(t.workflow.approvals).toEqual([]);
    expect(t.workflow.denials).toEqual([]);
  });

  it('shares the lockout with the API: after repeated wrong codes the page says locked out (429)', async () => {
    const { id } = await t.waiting();
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await t.decide(id, { accountName: 'bob', totpCode: `00000${i}`, decision: 'approve' });
      statuses.push(res.status);
    }
    expect(statuses.at(-1)).toBe(429);
    const res = await t.decide(id, { accountName: 'bob', totpCode: t.code('bob'), decision: 'approve' });
    expect(res.status).toBe(429);
    expect(text(await res.text())).toContain('Locked out Too many failed attempts');
    expect(t.workflow.approvals).toEqual([]);
  });

  it('refuses a decision on a decided request (409) and on an expired one (410), without a form', async () => {
    const decided = await t.waiting();
    await t.broker.approve(decided.id, { accountName: 'carol', totpCode: t.code('carol') });
    const late = await t.decide(decided.id, { accountName: 'bob', totpCode: t.code('bob'), decision: 'deny' });
    expect(late.status).toBe(409);
    const lateHtml = await late.text();
    expect(text(lateHtml)).toContain('Already decided This request has already been decided.');
    expect(lateHtml).not.toContain('<form');

    const old = await t.waiting();
    t.clock.advance(16 * 60);
    const expired = await t.decide(old.id, { accountName: 'bob', totpCode: t.code('bob'), decision: 'approve' });
    expect(expired.status).toBe(410);
    expect(text(await expired.text())).toContain('Expired This request has expired.');
  });

  it('refuses a form that is not urlencoded, or misses a field, with a page and nothing decided', async () => {
    const { id } = await t.waiting();
    const json = await t.app.request(`/approve/${id}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ accountName: 'bob', totpCode: t.code('bob'), decision: 'approve' }),
    });
    expect(json.status).toBe(415);
    expect(json.headers.get('content-type')).toBe('text/html; charset=UTF-8');
    expect(text(await json.text())).toContain('The form must be sent as application/x-www-form-urlencoded.');
    const cases: [Record<string, string>, string][] = [
      [{ accountName: 'bob', totpCode: '123456' }, 'Choose Approve or Deny.'],
      [{ accountName: ' ', totpCode: '123456', decision: 'approve' }, 'Enter your account name.'],
      [{ accountName: 'bob', totpCode: '', decision: 'approve' }, 'Enter the 6-digit code'],
      [{ accountName: 'bob', totpCode: '123456', decision: 'approve', extra: 'x' }, 'a field this page does not send'],
    ];
    for (const [fields, sentence] of cases) {
      const res = await t.decide(id, fields);
      expect(res.status).toBe(400);
      const html = await res.text();
      expect(text(html)).toContain(sentence);
      expect(html).toContain('<form');
    }
    expect(t.workflow.approvals).toEqual([]);
    expect((await t.broker.getRequest(id)).status).toBe('AWAITING_APPROVAL');
  });

  it('takes a code typed with spaces, as phones group it', async () => {
    const { id } = await t.waiting();
    const c = t.code('bob');
    const res = await t.decide(id, {
      accountName: 'bob ',
      totpCode: `${c.slice(0, 3)} ${c.slice(3)}`,
      decision: 'approve',
    });
    expect(res.status).toBe(200);
  });
});
