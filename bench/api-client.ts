/** The few broker API calls the benchmarks make (docs/design.md §4), over fetch with keep-alive. */
import type { CreateRequestInput } from '../lambdas/core/request-input.js';

/** A request's view as `GET /v1/requests/{id}` returns it (only what the benchmarks read). */
export interface View {
  id: string;
  status: string;
  error: { code: string; message: string } | null;
  credentials?: { sealed: { enc: string; ciphertext: string }; expiration: string };
}

async function call<T>(method: string, url: string, body: unknown, expected: number): Promise<T> {
  const res = await fetch(url, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status !== expected) throw new Error(`${method} ${new URL(url).pathname} answered ${res.status}: ${text}`);
  return JSON.parse(text) as T;
}

/** What a requester sends to `POST /v1/requests`: core's own input type. */
export type CreateInput = CreateRequestInput;

const TERMINAL = ['MINTED', 'DENIED', 'EXPIRED', 'REJECTED', 'FAILED'];

/** Thin client for one broker. */
export class Api {
  constructor(private readonly endpoint: string) {}

  create(input: CreateInput): Promise<{ id: string; status: string }> {
    return call('POST', `${this.endpoint}/v1/requests`, input, 202);
  }

  get(id: string): Promise<View> {
    return call('GET', `${this.endpoint}/v1/requests/${id}`, undefined, 200);
  }

  /** Long-polls as the CLI does (`?wait=20&status=<the status it last saw>`) until the status is `status`. */
  async waitFor(id: string, status: string): Promise<View> {
    let view = await this.get(id);
    while (view.status !== status) {
      if (TERMINAL.includes(view.status)) {
        throw new Error(`request ${id} ended ${view.status} (${JSON.stringify(view.error)}) instead of ${status}`);
      }
      const query = `wait=20&status=${view.status}`;
      view = await call('GET', `${this.endpoint}/v1/requests/${id}?${query}`, undefined, 200);
    }
    return view;
  }

  approve(id: string, accountName: string, totpCode: string): Promise<{ id: string; status: string }> {
    return call('POST', `${this.endpoint}/v1/requests/${id}/approve`, { accountName, totpCode }, 200);
  }

  /**
   * Polls every `intervalMs` until the status is `status`; a terminal status other than it throws.
   * @returns `process.hrtime.bigint()` when the first response showing `status` arrived, and that view.
   */
  async pollFor(id: string, status: string, intervalMs: number, limitMs = 30_000): Promise<{ at: bigint; view: View }> {
    const deadline = Date.now() + limitMs;
    for (;;) {
      const view = await this.get(id);
      const at = process.hrtime.bigint();
      if (view.status === status) return { at, view };
      if (TERMINAL.includes(view.status)) {
        throw new Error(`request ${id} ended ${view.status} (${JSON.stringify(view.error)}) instead of ${status}`);
      }
      if (Date.now() > deadline) throw new Error(`request ${id} still ${view.status} after ${limitMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
}
