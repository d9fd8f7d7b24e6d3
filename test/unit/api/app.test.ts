import { beforeEach, describe, expect, it, vi } from 'vitest';
import { createApp, MAX_BODY_BYTES } from '../../../lambdas/api/app.js';
import type { Broker } from '../../../lambdas/api/requests-routes.js';
import {
  AlreadyDecidedError,
  ConflictError,
  ExpiredError,
  InternalError,
  InvalidCredentialsError,
  InvalidRequestError,
  LockedOutError,
  NotAnApproverError,
  NotFoundError,
  RoleNotPermittedError,
  SelfApprovalError,
} from '../../../lambdas/core/errors.js';
import { MAX_REASON_LENGTH } from '../../../lambdas/core/text.js';

const ID = 'r_0123456789abcdefghjkmnpqrs';
const createBody = {
  issuer: 'acme',
  accountName: 'alice@example.com',
  role: 'Admin',
  totpCode: '123456',
  publicKey: 'A'.repeat(43),
};

function fakeBroker() {
  return {
    createRequest: vi.fn(async () => ({
      id: ID,
      status: 'VERIFYING' as const,
      verificationCode: 'K7Q-M2X',
      decisionDeadline: '2030-01-01T00:15:00.000Z',
    })),
    getRequest: vi.fn(async (id: string) => ({
      id,
      status: 'AWAITING_APPROVAL' as const,
      issuer: 'acme',
      accountName: 'alice@example.com',
      role: 'Admin',
      secondaryAccountName: null,
      reason: null,
      createdAt: '2030-01-01T00:00:00.000Z',
      decisionDeadline: '2030-01-01T00:15:00.000Z',
      approvedBy: null,
      deniedBy: null,
      denialReason: null,
      verificationCode: 'K7Q-M2X',
      error: null,
    })),
    approve: vi.fn(async (id: string) => ({ id, status: 'APPROVED' as const })),
    deny: vi.fn(async (id: string) => ({ id, status: 'DENIED' as const })),
  };
}

let broker: ReturnType<typeof fakeBroker>;
let lines: any[];
let app: ReturnType<typeof createApp>;

beforeEach(() => {
  broker = fakeBroker();
  lines = [];
  app = createApp({ broker: broker as unknown as Broker, log: (line) => lines.push(line) });
});

function post(path: string, body: unknown, headers: Record<string, string> = { 'Content-Type': 'application/json' }) {
  return app.request(path, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
}

async function expectProblem(res: Response, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  const body = (await res.json()) as { detail: string };
  expect(body).toEqual({
    type: `urn:stsftw:problem:${code}`,
    title: expect.any(String),
    status,
    code,
    detail: expect.any(String),
  });
  return body;
}

describe('createApp routes', () => {
  it('answers the health check', async () => {
    const res = await app.request('/v1/health');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it("lets through to core any reason core's limit allows (in characters, astral ones included)", async () => {
    const reason = '𝒳'.repeat(MAX_REASON_LENGTH);
    expect((await post('/v1/requests', { ...createBody, reason })).status).toBe(202);
    expect(broker.createRequest).toHaveBeenCalledWith({ ...createBody, reason });
    expect((await post(`/v1/requests/${ID}/deny`, { accountName: 'bob', totpCode: '123456', reason })).status).toBe(
      200,
    );
  });

  it('creates a request with 202 and passes the validated body to the broker', async () => {
    const res = await post('/v1/requests', { ...createBody, durationSeconds: 900, reason: 'deploy' });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({
      id: ID,
      status: 'VERIFYING',
      verificationCode: 'K7Q-M2X',
      decisionDeadline: '2030-01-01T00:15:00.000Z',
    });
    expect(broker.createRequest).toHaveBeenCalledWith({ ...createBody, durationSeconds: 900, reason: 'deploy' });
  });

  it('accepts the single-shot fields and a charset parameter', async () => {
    const body = { ...createBody, secondaryAccountName: 'bob@example.com', secondaryTotpCode: '654321' };
    const res = await post('/v1/requests', body, { 'Content-Type': 'application/json; charset=utf-8' });
    expect(res.status).toBe(202);
    expect(broker.createRequest).toHaveBeenCalledWith(body);
  });

  it('reads a request', async () => {
    const res = await app.request(`/v1/requests/${ID}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id: ID, status: 'AWAITING_APPROVAL', verificationCode: 'K7Q-M2X' });
    expect(broker.getRequest).toHaveBeenCalledWith(ID);
  });

  it('approves a request', async () => {
    const res = await post(`/v1/requests/${ID}/approve`, { accountName: 'bob', totpCode: '123456' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ id: ID, status: 'APPROVED' });
    expect(broker.approve).toHaveBeenCalledWith(ID, { accountName: 'bob', totpCode: '123456' });
  });

  it('denies a request, with or without a reason', async () => {
    let res = await post(`/v1/requests/${ID}/deny`, { accountName: 'bob', totpCode: '123456', reason: 'no' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ id: ID, status: 'DENIED' });
    expect(broker.deny).toHaveBeenCalledWith(ID, { accountName: 'bob', totpCode: '123456', reason: 'no' });
    res = await post(`/v1/requests/${ID}/deny`, { accountName: 'bob', totpCode: '123456' });
    expect(res.status).toBe(200);
    expect(broker.deny).toHaveBeenLastCalledWith(ID, { accountName: 'bob', totpCode: '123456' });
  });

  it('answers unknown paths and methods with a not_found problem', async () => {
    await expectProblem(await app.request('/v1/nothing'), 404, 'not_found');
    await expectProblem(await app.request('/v1/health', { method: 'DELETE' }), 404, 'not_found');
  });
});

describe('createApp validation', () => {
  it.each([
    ['too short', 'r_0123'],
    ['uppercase', ID.toUpperCase()],
    ['a letter outside Crockford base32', 'r_0123456789abcdefghjkmnpqru'],
    ['no prefix', '0123456789abcdefghjkmnpqrstv'],
  ])('treats a malformed id (%s) as not_found without calling the broker', async (_, id) => {
    await expectProblem(await app.request(`/v1/requests/${id}`), 404, 'not_found');
    await expectProblem(
      await post(`/v1/requests/${id}/approve`, { accountName: 'b', totpCode: '1' }),
      404,
      'not_found',
    );
    expect(broker.getRequest).not.toHaveBeenCalled();
    expect(broker.approve).not.toHaveBeenCalled();
  });

  it.each([
    ['text/plain', { 'Content-Type': 'text/plain' }],
    ['no content type', {}],
    ['a +json vendor type', { 'Content-Type': 'application/vnd.api+json' }],
    ['form data', { 'Content-Type': 'application/x-www-form-urlencoded' }],
  ])('refuses %s with 415 invalid_request', async (_, headers) => {
    await expectProblem(await post('/v1/requests', createBody, headers), 415, 'invalid_request');
    expect(broker.createRequest).not.toHaveBeenCalled();
  });

  it('refuses a body over 16 KiB with 413 invalid_request', async () => {
    const res = await post('/v1/requests', { ...createBody, reason: 'x'.repeat(MAX_BODY_BYTES) });
    await expectProblem(res, 413, 'invalid_request');
    expect(broker.createRequest).not.toHaveBeenCalled();
  });

  it('refuses an oversized body even when streamed without a content length', async () => {
    const chunk = new TextEncoder().encode(' '.repeat(1024));
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 20) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const res = await app.request('/v1/requests', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body,
      duplex: 'half',
    } as RequestInit);
    await expectProblem(res, 413, 'invalid_request');
  });

  it.each([
    ['malformed JSON', '{"issuer": "acme",'],
    ['an empty body', ''],
    ['a JSON array', '[]'],
    ['a JSON string', '"hello"'],
    ['JSON null', 'null'],
  ])('refuses %s with 400 invalid_request', async (_, raw) => {
    await expectProblem(await post('/v1/requests', raw), 400, 'invalid_request');
    expect(broker.createRequest).not.toHaveBeenCalled();
  });

  it.each([
    ['an unknown field', { ...createBody, admin: true }, 'Unknown field: admin.'],
    ['a prototype key', `{"__proto__": {"x": 1}, "issuer": "acme"}`, 'Unknown field: __proto__.'],
    ['a missing field', { ...createBody, totpCode: undefined }, 'totpCode is required.'],
    ['a number for a string', { ...createBody, totpCode: 123456 }, 'totpCode must be a string.'],
    ['null for an optional string', { ...createBody, reason: null }, 'reason must be a string.'],
    ['an empty required string', { ...createBody, issuer: '' }, 'issuer must be 1 to 256 characters long.'],
    [
      'an overlong string',
      { ...createBody, accountName: 'a'.repeat(257) },
      'accountName must be 1 to 256 characters long.',
    ],
    ['a string duration', { ...createBody, durationSeconds: '900' }, 'durationSeconds must be an integer.'],
    ['a fractional duration', { ...createBody, durationSeconds: 900.5 }, 'durationSeconds must be an integer.'],
  ])('refuses %s with 400 invalid_request', async (_, body, detail) => {
    const problem = await expectProblem(await post('/v1/requests', body), 400, 'invalid_request');
    expect(problem.detail).toBe(detail);
    expect(broker.createRequest).not.toHaveBeenCalled();
  });

  it('never echoes field values or odd field names', async () => {
    const res = await post('/v1/requests', { ...createBody, totpCode: 654321, 'x"<script>': 1 });
    const text = await res.text();
    expect(res.status).toBe(400);
    expect(text).not.toContain('654321');
    expect(text).not.toContain('<script>');
  });

  it('validates approve and deny bodies too', async () => {
    await expectProblem(await post(`/v1/requests/${ID}/approve`, { accountName: 'bob' }), 400, 'invalid_request');
    await expectProblem(
      await post(`/v1/requests/${ID}/approve`, { accountName: 'bob', totpCode: '1', reason: 'x' }),
      400,
      'invalid_request',
    );
    await expectProblem(
      await post(`/v1/requests/${ID}/deny`, { accountName: 'bob', totpCode: 1 }),
      400,
      'invalid_request',
    );
    expect(broker.approve).not.toHaveBeenCalled();
    expect(broker.deny).not.toHaveBeenCalled();
  });
});

describe('createApp error mapping', () => {
  it.each([
    [new InvalidRequestError(), 400, 'invalid_request'],
    [new InvalidCredentialsError(), 401, 'invalid_credentials'],
    [new NotAnApproverError(), 403, 'not_an_approver'],
    [new SelfApprovalError(), 403, 'self_approval'],
    [new RoleNotPermittedError(), 403, 'role_not_permitted'],
    [new NotFoundError(), 404, 'not_found'],
    [new AlreadyDecidedError(), 409, 'already_decided'],
    [new ExpiredError(), 410, 'expired'],
    [new LockedOutError(), 429, 'locked_out'],
  ])('maps %o to %i %s with its message as detail', async (error, status, code) => {
    broker.approve.mockRejectedValueOnce(error);
    const body = await expectProblem(
      await post(`/v1/requests/${ID}/approve`, { accountName: 'bob', totpCode: '123456' }),
      status,
      code,
    );
    expect(body.detail).toBe(error.message);
  });

  it.each([
    ['a plain Error', new Error('connect ECONNREFUSED 10.0.0.1 secret=abc')],
    ['an InternalError with a specific message', new InternalError('sts call failed for key AKIA123')],
    ['a ConflictError that escaped core', new ConflictError('status moved')],
    ['a thrown non-error', 'boom'],
  ])('hides %s behind a generic 500 and logs it in full', async (_, error) => {
    broker.getRequest.mockRejectedValueOnce(error);
    const res = await app.request(`/v1/requests/${ID}`);
    const text = await res.clone().text();
    const body = await expectProblem(res, 500, 'internal');
    expect(body.detail).toBe('Internal error.');
    expect(text).not.toMatch(/secret|AKIA|status moved|boom|at .*\.ts/);
    const logged = lines.find((l) => l.level === 'error');
    if (error instanceof Error) {
      expect(logged).toMatchObject({ msg: 'unhandled error', error: { name: error.name, message: error.message } });
      expect(logged.error.stack).toContain(error.message);
    }
  });
});

describe('createApp headers and logging', () => {
  it.each([
    ['a success', () => app.request('/v1/health')],
    ['a domain error', () => post('/v1/requests', '{')],
    ['a not_found', () => app.request('/nope')],
  ])('sets no-store and security headers on %s', async (_, send) => {
    const res = await send();
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
  });

  it('logs one line per request with method, path, status and duration, never the body', async () => {
    await post(`/v1/requests/${ID}/approve`, { accountName: 'bob', totpCode: '246810' });
    expect(lines).toEqual([
      {
        msg: 'request',
        method: 'POST',
        path: `/v1/requests/${ID}/approve`,
        status: 200,
        durationMs: expect.any(Number),
      },
    ]);
    expect(JSON.stringify(lines)).not.toContain('246810');
  });

  it('does not log query strings', async () => {
    await app.request('/v1/health?token=s3cr3t');
    expect(lines).toHaveLength(1);
    expect(JSON.stringify(lines)).not.toContain('s3cr3t');
  });

  it('logs error answers with their status', async () => {
    broker.approve.mockRejectedValueOnce(new InvalidCredentialsError());
    await post(`/v1/requests/${ID}/approve`, { accountName: 'bob', totpCode: '000000' });
    expect(lines).toEqual([expect.objectContaining({ method: 'POST', status: 401 })]);
  });
});

describe('createApp allowedHosts', () => {
  it('answers any Host without the option (on AWS, API Gateway and Function URLs route by Host)', async () => {
    const res = await app.request('/v1/health', { headers: { Host: 'attacker.example' } });
    expect(res.status).toBe(200);
  });

  it('answers only the listed Host values, case-insensitively, and refuses others with 421 before routing', async () => {
    const guarded = createApp({
      broker: broker as unknown as Broker,
      log: (line) => lines.push(line),
      allowedHosts: ['127.0.0.1:8787', 'localhost:8787'],
    });
    expect((await guarded.request('/v1/health', { headers: { Host: 'LocalHost:8787' } })).status).toBe(200);
    for (const host of ['attacker.example:8787', '127.0.0.1:8788', '127.0.0.1']) {
      const res = await guarded.request(`/v1/requests/${ID}`, { headers: { Host: host } });
      const body = await expectProblem(res, 421, 'invalid_request');
      expect(body.detail).toBe(
        'This broker answers only requests whose Host is 127.0.0.1:8787 or localhost:8787: use the endpoint `sts server` printed.',
      );
    }
    expect(broker.getRequest).not.toHaveBeenCalled();
  });
});
