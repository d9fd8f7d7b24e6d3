import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { STSClient } from '@aws-sdk/client-sts';

/** The SDK clients the Lambda handlers wire into the adapters. */
export interface AwsClients {
  readonly dynamodb: DynamoDBClient;
  readonly sfn: SFNClient;
  readonly sts: STSClient;
  readonly sns: SNSClient;
  readonly kms: KMSClient;
}

const cache = new Map<string, AwsClients>();

/**
 * Clients created once per process (and per region), lazily: each Lambda builds only the ones it uses, and
 * warm invocations reuse their connections. Without `region` the SDK reads the Lambda's own `AWS_REGION`.
 */
export function awsClients(region?: string): AwsClients {
  const cacheKey = region ?? '';
  const cached = cache.get(cacheKey);
  if (cached) return cached;
  const config = region ? { region } : {};
  const lazy = <T>(create: () => T): (() => T) => {
    let client: T | undefined;
    return () => {
      client ??= create();
      return client;
    };
  };
  const dynamodb = lazy(() => new DynamoDBClient(config));
  const sfn = lazy(() => new SFNClient(config));
  const sts = lazy(() => new STSClient(config));
  const sns = lazy(() => new SNSClient(config));
  const kms = lazy(() => new KMSClient(config));
  const clients: AwsClients = {
    get dynamodb() {
      return dynamodb();
    },
    get sfn() {
      return sfn();
    },
    get sts() {
      return sts();
    },
    get sns() {
      return sns();
    },
    get kms() {
      return kms();
    },
  };
  cache.set(cacheKey, clients);
  return clients;
}
