/**
 * A throwaway broker for CLI tests: node:http on 127.0.0.1, port 0. Requests follow a scripted list of
 * statuses (one step per GET); MINTED answers carry credentials really sealed to the CLI's public key.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { newRequestId, verificationCode } from '../../../lambdas/core/ids.js';
import { seal } from '../../../lambdas/core/sealing.js';

export interface TestCredentials {
  AccessKeyId: string;
  SecretAccessKey: string;
  SessionToken: string;
  Expiration: string;
}

export interface Problem {
  status: number;
  code: string;
  detail?: string;
}

/** One request as the fake keeps it. */
export interface FakeRequest {
  id: string;
  body: Record<string, any>;
  gets: number;
  view: Record<string, any>;
}

export interface FakeBrokerOptions {
  /** Statuses returned by successive GETs (the last one repeats). */
  plan?: string[];
  credentials?: TestCredentials;
  /** `error` of the request once REJECTED / FAILED. */
  error?: { code: string; message: string };
  deniedBy?: string;
  denialReason?: string;
  /** Answer POST /v1/requests with this problem. */
  createProblem?: Problem;
  /** Answer approve / deny with this problem. */
  decisionProblem?: Problem;
  /** Called on every GET of a request (e.g. to simulate Ctrl-C at some point). */
  onGet?: (request: FakeRequest) => void;
  /** Override the verification code the broker answers with. */
  verificationCode?: string;
}

export interface FakeBroker {
  url: string;
  /** Every HTTP call received: method, path, parsed body. */
  calls: { method: string; path: string; body: any }[];
  requests: Map<string, FakeRequest>;
  /** Adds a request in a given state (for approve / deny / status). */
  seed(view: Record<string, any>): FakeRequest;
  close(): Promise<void>;
}

export const sampleCredentials = (expiration = new Date(Date.now() + 3600_000).toISOString()): TestCredentials => ({
  AccessKeyId: 'ASIATESTACCESSKEY001',
  SecretAccessKey: 'test/secret+key=0123456789abcdefghijklmn',
  SessionToken: 'IQoJb3JpZ2luX2VjTESTSESSIONTOKEN/+=',
  Expiration: expiration,
});

function send(res: ServerResponse, status: number, body: unknown, type = 'application/json') {
  res.writeHead(status, { 'content-type': type });
  res.end(JSON.stringify(body));
}

function problem(res: ServerResponse, p: Problem) {
  send(
    res,
    p.status,
    { type: 'about:blank', title: p.code, status: p.status, code: p.code, detail: p.detail ?? `problem ${p.code}` },
    'application/problem+json',
  );
}

async function readBody(req: IncomingMessage): Promise<any> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) : undefined;
}

/** Starts the fake on 127.0.0.1 (random port). */
export async function startFakeBroker(options: FakeBrokerOptions = {}): Promise<FakeBroker> {
  const plan = options.plan ?? ['VERIFYING', 'AWAITING_APPROVAL', 'APPROVED', 'MINTED'];
  const credentials = options.credentials ?? sampleCredentials();
  const calls: FakeBroker['calls'] = [];
  const requests = new Map<string, FakeRequest>();
  const deadline = () => new Date(Date.now() + 900_000).toISOString();

  const server = createServer(async (req, res) => {
    const path = req.url ?? '/';
    const body = await readBody(req);
    calls.push({ method: req.method ?? 'GET', path, body });
    const match = /^\/v1\/requests\/([^/]+)(?:\/(approve|deny))?$/.exec(path);
    if (req.method === 'GET' && path === '/v1/health') return send(res, 200, { ok: true });
    if (req.method === 'POST' && path === '/v1/requests') {
      if (options.createProblem) return problem(res, options.createProblem);
      const id = newRequestId();
      const view = {
        id,
        status: 'VERIFYING',
        issuer: body.issuer,
        accountName: body.accountName,
        role: body.role,
        secondaryAccountName: body.secondaryAccountName ?? null,
        reason: body.reason ?? null,
        createdAt: new Date().toISOString(),
        decisionDeadline: deadline(),
        approvedBy: null,
        deniedBy: null,
        verificationCode: options.verificationCode ?? verificationCode(id, body.publicKey),
        error: null,
      };
      requests.set(id, { id, body, gets: 0, view });
      return send(res, 202, {
        id,
        status: 'VERIFYING',
        verificationCode: view.verificationCode,
        decisionDeadline: view.decisionDeadline,
      });
    }
    const request = match ? requests.get(decodeURIComponent(match[1])) : undefined;
    if (!request) return problem(res, { status: 404, code: 'not_found', detail: 'No such request.' });
    if (req.method === 'GET' && !match?.[2]) {
      options.onGet?.(request);
      if (request.body) {
        const status = plan[Math.min(request.gets, plan.length - 1)];
        request.gets++;
        request.view.status = status;
        if (status === 'APPROVED' || status === 'MINTED') request.view.approvedBy = 'bob';
        if (status === 'DENIED') {
          request.view.deniedBy = options.deniedBy ?? 'bob';
          request.view.denialReason = options.denialReason ?? null;
        }
        if (status === 'REJECTED' || status === 'FAILED')
          request.view.error = options.error ?? { code: 'internal', message: 'Internal error.' };
        if (status === 'MINTED') {
          const sealed = await seal(request.body.publicKey, JSON.stringify(credentials), request.id);
          request.view.credentials = { sealed, expiration: credentials.Expiration };
        }
      }
      return send(res, 200, request.view);
    }
    if (req.method === 'POST' && match?.[2]) {
      if (options.decisionProblem) return problem(res, options.decisionProblem);
      request.view.status = match[2] === 'approve' ? 'APPROVED' : 'DENIED';
      return send(res, 200, { id: request.id, status: request.view.status });
    }
    return problem(res, { status: 400, code: 'invalid_request' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    requests,
    seed(view) {
      const request: FakeRequest = { id: view.id, body: undefined as any, gets: 0, view };
      requests.set(view.id, request);
      return request;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
