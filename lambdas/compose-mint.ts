/** The mint function's part of the broker: AssumeRole and seal, over the stores (no key, no topic). */

import { roleConfig, type Stores } from './compose-stores.js';
import type { Clock, Minter } from './core/ports.js';
import { systemClock } from './core/ports.js';
import { createMintTask, type MintConfig, type MintTask } from './core/tasks/mint.js';

/** The mint function's task. */
export function composeMintTask(
  stores: Stores,
  adapters: { minter: Minter },
  settings: MintConfig,
  clock: Clock = systemClock,
): MintTask {
  return createMintTask({
    ...stores,
    clock,
    ...adapters,
    config: { ...roleConfig(settings), maxSessionSeconds: settings.maxSessionSeconds },
  });
}
