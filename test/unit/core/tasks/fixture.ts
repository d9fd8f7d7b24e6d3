/** The state-machine tasks over the in-memory ports, with the accounts and requests their tests use. */
import { generateKeyPair } from '../../../../lambdas/core/sealing.js';
import { createMintTask, type MintConfig } from '../../../../lambdas/core/tasks/mint.js';
import { createVerifyTasks } from '../../../../lambdas/core/tasks/verify.js';
import type { RequestRecord } from '../../../../lambdas/core/types.js';
import { enroll, memoryPorts, totpCode } from '../../../support/memory.js';

export const ISSUER = 'example';
export const config: MintConfig = { maxSessionSeconds: 3600, partition: 'aws', roleAccountId: '123456789012' };

/** The JSON event of a task's audit output: the `default` entry of its SNS message. */
export function eventOf(audit: { message: string }): Record<string, unknown> {
  return JSON.parse(JSON.parse(audit.message).default);
}
let counter = 0;

export async function setup() {
  const ports = memoryPorts('2030-01-01T00:00:10.000Z');
  // Both functions' tasks, as the state machine sees them.
  const tasks = { ...createVerifyTasks({ ...ports, config }), ...createMintTask({ ...ports, config }) };
  const urls = {
    alice: await enroll(ports.auth, ports.cipher, {
      issuer: ISSUER,
      accountName: 'alice',
      roles: ['admin'],
      secondaryAuthorization: ['bob', 'carol', 'erin'],
    }),
    bob: await enroll(ports.auth, ports.cipher, { issuer: ISSUER, accountName: 'bob' }),
    carol: await enroll(ports.auth, ports.cipher, { issuer: ISSUER, accountName: 'carol' }),
    dave: await enroll(ports.auth, ports.cipher, { issuer: ISSUER, accountName: 'dave' }),
    erin: await enroll(ports.auth, ports.cipher, { issuer: ISSUER, accountName: 'erin' }, { secret: null }),
    solo: await enroll(ports.auth, ports.cipher, { issuer: ISSUER, accountName: 'solo', roles: ['admin'] }),
  };
  const code = (who: keyof typeof urls, offset = 0) => totpCode(urls[who], ports.clock.now(), offset);
  const keys = await generateKeyPair();

  /** Stores a request as the API would (or in a given status). */
  async function request(extra: Partial<RequestRecord> = {}): Promise<string> {
    const id = `r_${String(counter++).padStart(26, '0')}`;
    await ports.requests.create({
      id,
      status: 'VERIFYING',
      issuer: ISSUER,
      accountName: 'alice',
      role: 'admin',
      durationSeconds: 1800,
      publicKey: keys.publicKey,
      createdAt: ports.clock.now().toISOString(),
      decisionDeadline: new Date(ports.clock.now().getTime() + 900_000).toISOString(),
      expiresAt: Math.floor(ports.clock.now().getTime() / 1000) + 900 + 86_400,
      ...extra,
    });
    return id;
  }
  const status = (id: string) => ports.requests.peek(id)?.status;
  return { ...ports, tasks, code, keys, request, status };
}
