/**
 * The embedded broker's default Minter: no AWS call, credentials that look like STS output but are
 * unmistakably local (so nobody mistakes a demo for a grant, and AWS refuses them outright).
 */
import { randomBytes } from 'node:crypto';
import type { AssumeRoleInput, Clock, Minter } from '../../core/ports.js';
import { systemClock } from '../../core/ports.js';
import type { Credentials } from '../../core/types.js';

/** Prefix of every local access key id (real temporary keys start with ASIA). */
export const LOCAL_ACCESS_KEY_PREFIX = 'ASIALOCAL';
/** Prefix of every local session token. */
export const LOCAL_SESSION_TOKEN_PREFIX = 'stsftw-local-not-valid-on-aws-';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function randomBase32(length: number): string {
  return Array.from(randomBytes(length), (b) => BASE32[b & 31]).join('');
}

/** Mints fake, clearly local credentials that expire after the requested duration. */
export class LocalMinter implements Minter {
  constructor(private readonly clock: Clock = systemClock) {}

  async assumeRole(input: AssumeRoleInput): Promise<Credentials> {
    return {
      // 20 characters, like a real access key id.
      AccessKeyId: LOCAL_ACCESS_KEY_PREFIX + randomBase32(20 - LOCAL_ACCESS_KEY_PREFIX.length),
      SecretAccessKey: randomBytes(30).toString('base64'),
      SessionToken: LOCAL_SESSION_TOKEN_PREFIX + randomBytes(48).toString('base64url'),
      Expiration: new Date(this.clock.now().getTime() + input.durationSeconds * 1000).toISOString(),
    };
  }
}
