/** The `sts approve …` line a requester sends their approver, to reach the same broker. */
import { resolve } from 'node:path';
import { posixValue } from './output.js';
import { DEFAULT_DATA_DIR, type Settings } from './settings.js';

/**
 * What an approver types for request `id`. Their own settings may differ: it names the issuer, and the
 * approver asked for (else `<you>`: their own name goes there); `--local` and a non-default data dir too.
 */
export function approverCommand(settings: Settings, id: string): string {
  const { local, dataDir, issuer, secondaryAuthorizer } = settings;
  const who = `${issuer ? ` --issuer ${posixValue(issuer)}` : ''} --account-name ${secondaryAuthorizer ? posixValue(secondaryAuthorizer) : '<you>'}`;
  if (!local) return `sts approve ${id}${who}`;
  const dir = dataDir === resolve(DEFAULT_DATA_DIR) ? '' : ` --data-dir ${posixValue(dataDir)}`;
  return `sts approve --local${dir} ${id}${who}`;
}
