/**
 * Where an administrator command reads and writes: the auth table and the secret cipher, either on AWS
 * (default credential chain, KMS) or in the embedded broker (`--local`: dynalite's socket and the local key
 * named by `<data-dir>/server.json`). Imported lazily by AdminCommand, so the AWS SDK loads only when a command runs.
 */
import { resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { DynamoAuthStore } from '../../lambdas/adapters/aws/dynamo-auth-store.js';
import { KmsCipher } from '../../lambdas/adapters/aws/kms-cipher.js';
import { createLocalCipher } from '../../lambdas/adapters/local/local-cipher.js';
import { localDynamoClient } from '../../lambdas/adapters/local/local-dynamo.js';
import type { AuthStore, SecretCipher } from '../../lambdas/core/ports.js';
import { localBrokerInfo } from '../local-broker.js';
import { missingSettingsError } from '../sentences/settings.js';

/** The shared administrator options, as given (flags already merged with their environment variables). */
export interface AdminOptions {
  local: boolean;
  dataDir: string;
  /** `--table-name`; on AWS falls back to `STS_TABLE_NAME`, locally to server.json. */
  tableName?: string;
  region?: string;
  kmsKeyId?: string;
  env: Record<string, string | undefined>;
}

/** An open connection to the auth table. */
export interface AdminBackend {
  readonly local: boolean;
  readonly tableName: string;
  /** The raw client, for the one-time STSFTW 1.0 migration. */
  readonly dynamodb: DynamoDBClient;
  readonly store: AuthStore;
  /** The TOTP secret cipher; the missing-setting CliError on AWS without a KMS key id. */
  cipher(): Promise<SecretCipher>;
  /** Closes the client's sockets. */
  close(): void;
}

/**
 * Opens the backend the options describe.
 * @throws the missing-setting CliError when no table name is given on AWS; the no-local-broker sentence
 *   when `--local` finds no live broker in the data directory.
 */
export async function openBackend(options: AdminOptions): Promise<AdminBackend> {
  if (options.local) {
    const info = await localBrokerInfo(resolve(options.dataDir));
    const dynamodb = localDynamoClient(info);
    let cipher: Promise<SecretCipher> | undefined;
    return backend(true, options.tableName ?? info.authTableName, dynamodb, () => {
      cipher ??= createLocalCipher(info.keyFile);
      return cipher;
    });
  }
  const tableName = options.tableName ?? options.env.STS_TABLE_NAME;
  if (!tableName) throw missingSettingsError(['tableName']);
  // No endpoint here on purpose: the SDK applies AWS_ENDPOINT_URL_DYNAMODB / AWS_ENDPOINT_URL itself.
  const config = options.region ? { region: options.region } : {};
  const dynamodb = new DynamoDBClient(config);
  let kms: KMSClient | undefined;
  const opened = backend(false, tableName, dynamodb, async () => {
    if (!options.kmsKeyId) throw missingSettingsError(['kmsKeyId']);
    kms ??= new KMSClient(config);
    return new KmsCipher(kms, options.kmsKeyId);
  });
  return {
    ...opened,
    close: () => {
      opened.close();
      kms?.destroy();
    },
  };
}

function backend(
  local: boolean,
  tableName: string,
  dynamodb: DynamoDBClient,
  cipher: () => Promise<SecretCipher>,
): AdminBackend {
  return {
    local,
    tableName,
    dynamodb,
    store: new DynamoAuthStore(dynamodb, tableName),
    cipher,
    close: () => dynamodb.destroy(),
  };
}
