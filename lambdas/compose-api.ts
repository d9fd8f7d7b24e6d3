/** The API function's part of the broker: its use cases over the stores (see `compose-stores.ts`). */

import { roleConfig, type Stores } from './compose-stores.js';
import { type Broker, type BrokerConfig, createBroker } from './core/broker.js';
import type { AuditSink, Clock, RequestWatcher, SecretCipher, Workflow } from './core/ports.js';
import { systemClock } from './core/ports.js';

/** The adapters the API's use cases call besides the stores. */
export interface BrokerAdapters {
  cipher: SecretCipher;
  audit: AuditSink;
  workflow: Workflow;
  /** How its long-polls wait; without one they answer at once. */
  watcher?: RequestWatcher;
}

/** The API's use cases. */
export function composeBroker(
  stores: Stores,
  adapters: BrokerAdapters,
  settings: BrokerConfig,
  clock: Clock = systemClock,
): Broker {
  return createBroker({
    ...stores,
    clock,
    ...adapters,
    config: {
      ...roleConfig(settings),
      approvalTimeoutSeconds: settings.approvalTimeoutSeconds,
      maxSessionSeconds: settings.maxSessionSeconds,
      requestRetentionSeconds: settings.requestRetentionSeconds,
    },
  });
}
