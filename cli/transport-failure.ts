/** Why a fetch to the broker failed, from the error undici threw: the kind, and the code or message behind it. */
import type { NetworkFailure } from './errors.js';

/** TLS failures as Node/undici report them. */
const TLS_CODES = /^(ERR_TLS_|ERR_SSL_|CERT_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_)/;

/** The system error code behind a `fetch failed` (undici nests it in `cause`, sometimes in an AggregateError). */
function errorCode(e: unknown): string | undefined {
  let current: unknown = e;
  for (let depth = 0; depth < 5 && current; depth++) {
    const { code, cause, errors } = current as { code?: unknown; cause?: unknown; errors?: unknown[] };
    if (typeof code === 'string' && code !== 'ERR_INVALID_STATE') return code;
    current = cause ?? errors?.[0];
  }
  return undefined;
}

/** The message of the innermost cause (`fetch failed` itself says nothing). */
function innermostMessage(e: unknown): string {
  let current = e as { message?: unknown; cause?: unknown } | undefined;
  let message = String(e);
  for (let depth = 0; depth < 5 && current; depth++) {
    if (typeof current.message === 'string' && current.message) message = current.message;
    current = current.cause as typeof current;
  }
  return message;
}

/** What kind of transport failure the system `code` is. */
function classify(code: string | undefined): NetworkFailure {
  if (!code) return 'other';
  if (code === 'ECONNREFUSED') return 'refused';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'dns';
  if (code === 'ETIMEDOUT' || code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT')
    return 'timeout';
  if (TLS_CODES.test(code)) return 'tls';
  return 'other';
}

/** The kind of failure and what to report with it (the system code, else the innermost message). */
export function transportFailure(e: unknown): { failure: NetworkFailure; detail: string } {
  const code = errorCode(e);
  return { failure: classify(code), detail: code ?? innermostMessage(e) };
}
