import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { STSClient } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import { awsClients } from '../../../../lambdas/adapters/aws/clients.js';

describe('awsClients', () => {
  it('creates each client once per process and region', async () => {
    const clients = awsClients('eu-west-1');
    expect(awsClients('eu-west-1')).toBe(clients);
    expect(clients.dynamodb).toBeInstanceOf(DynamoDBClient);
    expect(clients.dynamodb).toBe(clients.dynamodb);
    expect(clients.sfn).toBeInstanceOf(SFNClient);
    expect(clients.sts).toBeInstanceOf(STSClient);
    expect(clients.sns).toBeInstanceOf(SNSClient);
    expect(clients.kms).toBeInstanceOf(KMSClient);
    await expect(clients.kms.config.region()).resolves.toBe('eu-west-1');
  });

  it('keeps separate clients per region', () => {
    expect(awsClients('us-east-1').sts).not.toBe(awsClients('eu-west-1').sts);
  });
});
