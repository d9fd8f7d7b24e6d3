/** The verify function's part of the broker: the state machine's checks and bookkeeping over the stores. */

import { roleConfig, type Stores } from './compose-stores.js';
import type { AuditSink, Clock, SecretCipher } from './core/ports.js';
import { systemClock } from './core/ports.js';
import type { RoleConfig } from './core/roles.js';
import { createVerifyTasks, type VerifyTaskDeps, type VerifyTasks } from './core/tasks/verify.js';

/** The key and the audit sink are the authenticator's (lockouts); the rest is for notifications. */
export type VerifyAdapters = { cipher: SecretCipher; audit: AuditSink } & Pick<
  VerifyTaskDeps,
  'notifier' | 'links' | 'log'
>;

/** The verify function's tasks. */
export function composeVerifyTasks(
  stores: Stores,
  adapters: VerifyAdapters,
  settings: RoleConfig,
  clock: Clock = systemClock,
): VerifyTasks {
  return createVerifyTasks({ ...stores, clock, ...adapters, config: roleConfig(settings) });
}
