/**
 * A small fetch-based client for the broker's HTTP API (DESIGN.md §4). Problem answers become an
 * `ApiError` carrying the stable `code`; transport failures a `NetworkError` saying why.
 */
import type { Broker, CreateRequestInput } from '../lambdas/core/broker.js';
import type { RequestView as BrokerView } from '../lambdas/core/request-view.js';
import type { RequestStatus } from '../lambdas/core/types.js';
import { ApiError, NetworkError } from './errors.js';
import { transportFailure } from './transport-failure.js';

// The API's shapes are core's own (type-only: nothing of core loads with the client).
export type { RequestStatus };

/**
 * `GET /v1/requests/{id}`: core's view, whose quorum fields a broker from before quorums (issue 9) does not
 * send: no `approvalsRequired` reads as at most one approval, no `approvals` as none listed.
 */
export type RequestView = Omit<BrokerView, 'approvalsRequired' | 'approvals'> &
  Partial<Pick<BrokerView, 'approvalsRequired' | 'approvals'>>;

/** Body of `POST /v1/requests`: the broker's own input type. */
export type CreateRequestBody = CreateRequestInput;

/** Answer of `POST /v1/requests` (202). */
export type CreatedRequest = Awaited<ReturnType<Broker['createRequest']>>;

/** Answer of approve / deny (or, after an uncertain retry, the request's status as read back). */
export interface DecisionResult {
  id: string;
  status: RequestStatus;
  /** Approvals the quorum still needs after this one (absent from a broker before quorums). */
  approvalsRemaining?: number;
}

/** What a waiting read (`getRequest(id, {wait, status})`) answered. */
export interface WatchedRequest {
  view: RequestView;
  /**
   * The broker's `Sts-Wait` header: the seconds it was prepared to wait. Undefined: a broker from before
   * long-polls, which ignored the parameters and answered at once; 0: one that does not wait. Either way the
   * caller polls instead.
   */
  waitSeconds?: number;
}

/** How to reach the broker. */
export interface ClientOptions {
  endpoint: string;
  /** Per HTTP call; default 15 s. */
  timeoutMs?: number;
  /** Cancels every call (Ctrl-C). */
  signal?: AbortSignal;
  /** Injected in tests; default the global fetch. */
  fetch?: typeof fetch;
  /** Current time in ms, to read an HTTP-date `Retry-After` (default Date.now). */
  now?: () => number;
}

const DEFAULT_TIMEOUT_MS = 15_000;
/** The header a broker that long-polls sends (lambdas/api/requests-routes.ts `WAIT_HEADER`). */
const WAIT_HEADER = 'sts-wait';
/** A `Retry-After` longer than this is read as this: a waiting CLI checks again at least this often. */
export const RETRY_AFTER_CAP_MS = 30_000;
const USER_AGENT = 'stsftw-cli/2';

/** The broker API. */
export class BrokerClient {
  readonly endpoint: string;
  private readonly base: URL;
  private readonly timeoutMs: number;
  private readonly signal?: AbortSignal;
  private readonly fetchImpl: typeof fetch;
  private readonly now: () => number;

  constructor(options: ClientOptions) {
    this.endpoint = options.endpoint;
    try {
      // Keep any path prefix (an API Gateway stage): resolve `v1/…` against `<endpoint>/`.
      this.base = new URL(options.endpoint.endsWith('/') ? options.endpoint : `${options.endpoint}/`);
    } catch {
      throw new NetworkError('not_broker', options.endpoint, 'not a URL');
    }
    if (this.base.protocol !== 'https:' && this.base.protocol !== 'http:') {
      throw new NetworkError('not_broker', options.endpoint, 'not an http(s) URL');
    }
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.signal = options.signal;
    this.fetchImpl = options.fetch ?? fetch;
    this.now = options.now ?? Date.now;
  }

  /** `POST /v1/requests`. */
  createRequest(body: CreateRequestBody): Promise<CreatedRequest> {
    return this.call('POST', 'v1/requests', body);
  }

  /** `GET /v1/requests/{id}`. */
  getRequest(id: string): Promise<RequestView> {
    return this.call('GET', `v1/requests/${encodeURIComponent(id)}`);
  }

  /**
   * `GET /v1/requests/{id}?wait=S&status=X[&approvals=N]`: answers once the request's status is not
   * `status` (or its count of approvals not `approvals`), or after `waitSeconds` with the request as it is.
   * The call's timeout is the wait plus the usual one.
   */
  async watchRequest(
    id: string,
    status: RequestStatus,
    waitSeconds: number,
    approvals?: number,
  ): Promise<WatchedRequest> {
    const query = new URLSearchParams({ wait: String(waitSeconds), status });
    if (approvals !== undefined) query.set('approvals', String(approvals));
    const { value, headers } = await this.send<RequestView>(
      'GET',
      `v1/requests/${encodeURIComponent(id)}?${query}`,
      undefined,
      this.timeoutMs + waitSeconds * 1000,
    );
    const honoured = headers.get(WAIT_HEADER)?.trim();
    return { view: value, waitSeconds: honoured && /^\d+$/.test(honoured) ? Number(honoured) : undefined };
  }

  /** `POST /v1/requests/{id}/approve`. */
  approve(id: string, body: { accountName: string; totpCode: string }): Promise<DecisionResult> {
    return this.call('POST', `v1/requests/${encodeURIComponent(id)}/approve`, body);
  }

  /** `POST /v1/requests/{id}/deny`. */
  deny(id: string, body: { accountName: string; totpCode: string; reason?: string }): Promise<DecisionResult> {
    return this.call('POST', `v1/requests/${encodeURIComponent(id)}/deny`, body);
  }

  /** `GET /v1/health`: resolves when the broker answers 2xx. */
  async health(): Promise<void> {
    await this.call('GET', 'v1/health', undefined, true);
  }

  private async call<T>(method: string, path: string, body?: unknown, anyBody = false): Promise<T> {
    if (anyBody) {
      await this.send(method, path, body, this.timeoutMs, true);
      return undefined as T;
    }
    return (await this.send<T>(method, path, body, this.timeoutMs)).value;
  }

  private async send<T>(
    method: string,
    path: string,
    body: unknown,
    timeoutMs: number,
    anyBody = false,
  ): Promise<{ value: T; headers: Headers }> {
    const url = new URL(path, this.base);
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = this.signal ? AbortSignal.any([this.signal, timeout]) : timeout;
    let response: Response;
    try {
      response = await this.fetchImpl(url, {
        method,
        signal,
        redirect: 'error',
        headers: {
          accept: 'application/json, application/problem+json',
          'user-agent': USER_AGENT,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (e) {
      throw this.transportError(e, timeout);
    }
    const text = await response.text().catch((e) => {
      throw this.transportError(e, timeout);
    });
    if (response.ok) {
      if (anyBody) return { value: undefined as T, headers: response.headers };
      try {
        return { value: JSON.parse(text) as T, headers: response.headers };
      } catch {
        throw new NetworkError('not_broker', this.endpoint, `HTTP ${response.status} without JSON`);
      }
    }
    throw this.problem(response, text);
  }

  private problem(response: Response, text: string): Error {
    let body: { code?: unknown; detail?: unknown; title?: unknown; message?: unknown } | undefined;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    if (body && typeof body.code === 'string') {
      const message = typeof body.detail === 'string' && body.detail ? body.detail : String(body.title ?? body.code);
      return new ApiError(body.code, response.status, message);
    }
    let status = `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
    // API Gateway's own answers carry `{"message": …}` (e.g. "Internal server error" for a Lambda failure).
    const said = typeof body?.message === 'string' ? body.message.slice(0, 100) : '';
    if (said && said.toLowerCase() !== response.statusText.toLowerCase()) status += `: ${said}`;
    // Throttling (API Gateway's stage limits) and 5xx without a problem body come from what stands in front
    // of the broker, not from the broker: busy or failing for now, worth retrying.
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), this.now());
    if (response.status === 429) return new NetworkError('throttled', this.endpoint, status, retryAfterMs);
    if (response.status >= 500) return new NetworkError('unavailable', this.endpoint, status, retryAfterMs);
    return new NetworkError('not_broker', this.endpoint, `${status} without a problem body`);
  }

  private transportError(e: unknown, timeout: AbortSignal): Error {
    if (this.signal?.aborted) return this.signal.reason instanceof Error ? this.signal.reason : (e as Error);
    if (timeout.aborted) return new NetworkError('timeout', this.endpoint);
    const { failure, detail } = transportFailure(e);
    return new NetworkError(failure, this.endpoint, detail);
  }
}

/**
 * `Retry-After` in ms: delta-seconds or an HTTP date (RFC 9110 §10.2.3), capped at RETRY_AFTER_CAP_MS;
 * undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (!value) return undefined;
  const text = value.trim();
  const ms = /^\d+$/.test(text) ? Number(text) * 1000 : Date.parse(text) - now;
  if (!Number.isFinite(ms)) return undefined;
  return Math.min(Math.max(ms, 0), RETRY_AFTER_CAP_MS);
}
