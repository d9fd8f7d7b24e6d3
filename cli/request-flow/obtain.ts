/**
 * Credentials for `get` and `exec`: from the encrypted cache when allowed and fresh, else a new request
 * (single shot when a secondary code is given, otherwise it waits for one approval and says so; never for a
 * quorum of two or more, which `sts request` waits for). A `--reason`
 * always means a new request (the approver and the audit must see it), whose credentials then replace the
 * cached ones.
 */
import type { BrokerClient } from '../client.js';
import type { CachedCredentials as Credentials } from '../credential-cache.js';
import { cachedNotice, cacheWriteFailed, secondCodeNeedsName } from '../sentences/request.js';
import type { FlowIo } from './io.js';
import { type StartInput, startRequest } from './start.js';
import { waitForCredentials } from './wait.js';

/** What `get` and `exec` ask for. */
export interface ObtainInput extends Omit<StartInput, 'totpCode'> {
  /** Asked only when the cache cannot answer. */
  totpCode: () => Promise<string>;
  client: () => Promise<BrokerClient>;
  /** Read and refresh the encrypted credential cache (the command's default). */
  useCache: boolean;
  /** `--no-cache`: neither read nor write it. */
  noCache?: boolean;
  /** A `--totp-code` was given (it goes unused when the cache answers: say so). */
  totpCodeGiven?: boolean;
}

/** The cached credentials when they answer `input`, else new ones (then cached, when the cache is used). */
export async function obtainCredentials(io: FlowIo, input: ObtainInput): Promise<Credentials> {
  const cacheKey = { endpoint: input.endpoint, issuer: input.issuer, accountName: input.accountName, role: input.role };
  const cache = input.useCache && !input.noCache ? await import('../credential-cache.js') : undefined;
  const cached = input.reason ? undefined : cache?.readCachedCredentials(io.env, cacheKey, io.now());
  if (cached) {
    const unused = [
      input.totpCodeGiven && '--totp-code',
      input.secondaryTotpCode && '--secondary-totp-code',
      input.durationSeconds !== undefined && '--duration',
    ].filter((flag): flag is string => typeof flag === 'string');
    if (unused.length > 0) io.info(cachedNotice(input.role, cached.Expiration, unused));
    return cached;
  }
  // Core's rule, checked before anyone is asked for a code (the broker checks it again). Loaded only now:
  // a new request loads core's sealing anyway, a cached answer needs none of it.
  const { codeWithoutApprover } = await import('../../lambdas/core/approvers.js');
  if (codeWithoutApprover(input)) throw secondCodeNeedsName();
  const totpCode = await input.totpCode();
  const client = await input.client();
  const pending = await startRequest(client, io, { ...input, totpCode });
  const credentials = await waitForCredentials(client, io, pending, { announce: true, refuseQuorum: true });
  try {
    cache?.writeCachedCredentials(io.env, cacheKey, credentials);
  } catch (e) {
    // The cache only saves the next prompt: credentials already minted must still be delivered.
    io.info(cacheWriteFailed((e as Error).message));
  }
  return credentials;
}
