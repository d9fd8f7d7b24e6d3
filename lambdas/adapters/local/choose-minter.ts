/** The embedded broker's Minter, as `--minter` chose it, with the role settings that go with it. */
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { Minter } from '../../core/ports.js';
import type { RoleConfig } from '../../core/roles.js';
import { StsMinter } from '../aws/sts-minter.js';
import { LocalMinter } from './local-minter.js';
import { StartupError } from './startup-error.js';

/** Bare role names need an account; the local minter never calls AWS, so a placeholder one will do. */
const LOCAL_ACCOUNT_ID = '000000000000';

/**
 * `local`: fake credentials, bare role names in a placeholder account. `aws`: real STS with this process's
 * AWS credentials, bare role names in the caller's own account and partition.
 * @throws StartupError `no_aws_credentials` when `aws` finds no credentials that work.
 */
export async function chooseMinter(kind: 'local' | 'aws'): Promise<{ minter: Minter; roles: RoleConfig }> {
  if (kind === 'local')
    return { minter: new LocalMinter(), roles: { partition: 'aws', roleAccountId: LOCAL_ACCOUNT_ID } };
  const sts = new STSClient({});
  let arn: string | undefined;
  try {
    ({ Arn: arn } = await sts.send(new GetCallerIdentityCommand({})));
  } catch {
    throw new StartupError(
      'no_aws_credentials',
      '--minter aws needs AWS credentials for this process (e.g. AWS_PROFILE); none worked — use --minter local to try things out',
    );
  }
  const [, partition = 'aws', , , account] = (arn ?? '').split(':');
  return { minter: new StsMinter(sts), roles: { partition, roleAccountId: account || undefined } };
}
