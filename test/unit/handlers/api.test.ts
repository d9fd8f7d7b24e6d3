import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { requestToItem } from '../../../lambdas/adapters/aws/request-item.js';
import type { RequestStatus } from '../../../lambdas/core/types.js';
import { attributes, plainInputs } from '../../support/dynamo-mock.js';
import { sampleRequest } from '../../support/memory.js';

const ddb = mockClient(DynamoDBClient);
afterEach(() => {
  ddb.reset();
});

// The entry reads its configuration at import, as on a cold start.
beforeAll(() => {
  vi.stubEnv('AWS_REGION', 'eu-west-1');
  vi.stubEnv('STS_TABLE_NAME', 'stsftw-auth');
  vi.stubEnv('STS_REQUESTS_TABLE_NAME', 'stsftw-requests');
  vi.stubEnv('STS_AUDIT_TOPIC_ARN', 'arn:aws:sns:eu-west-1:123456789012:stsftw-audit');
  vi.stubEnv('STS_KMS_KEY_ID', 'alias/stsftw');
  vi.stubEnv('STS_STATE_MACHINE_ARN', 'arn:aws:states:eu-west-1:123456789012:stateMachine:stsftw');
});
afterAll(() => {
  vi.unstubAllEnvs();
});

function httpEvent(method: string, path: string, body?: string, rawQueryString = '') {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString,
    headers: { host: 'sts.example.com', ...(body ? { 'content-type': 'application/json' } : {}) },
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      domainName: 'sts.example.com',
      domainPrefix: 'sts',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '192.0.2.1', userAgent: 'test' },
      requestId: 'req',
      routeKey: '$default',
      stage: '$default',
      time: '01/Jan/2030:00:00:00 +0000',
      timeEpoch: 1_893_456_000_000,
    },
    body,
    isBase64Encoded: false,
  };
}

describe('api handler', () => {
  it('serves the Hono app to Function URL / HTTP API events', async () => {
    const { handler } = await import('../../../lambdas/handlers/api.js');
    const res = (await handler(httpEvent('GET', '/v1/health') as never, {} as never)) as any;
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ status: 'ok' });
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('answers validation errors as problems without touching AWS', async () => {
    const { handler } = await import('../../../lambdas/handlers/api.js');
    const res = (await handler(httpEvent('POST', '/v1/requests', '{"issuer":1}') as never, {} as never)) as any;
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect(JSON.parse(res.body).code).toBe('invalid_request');
  });
});

describe('api handler long-poll', () => {
  const id = 'r_0123456789abcdefghjkmnpqrs';
  const record = (status: RequestStatus) => sampleRequest(status, { id });

  it('re-reads the request with consistent GetItems until its status changes (STS_MAX_WAIT_SECONDS default 20)', async () => {
    ddb
      .on(GetItemCommand)
      .resolvesOnce({ Item: attributes(requestToItem(record('AWAITING_APPROVAL'))) })
      .resolvesOnce({ Item: attributes(requestToItem(record('AWAITING_APPROVAL'))) })
      .resolves({ Item: attributes(requestToItem(record('APPROVED'))) });
    const { handler } = await import('../../../lambdas/handlers/api.js');
    const event = httpEvent('GET', `/v1/requests/${id}`, undefined, 'wait=20&status=AWAITING_APPROVAL');
    const res = (await handler(event as never, {} as never)) as any;
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ id, status: 'APPROVED' });
    expect(res.headers['sts-wait']).toBe('20');
    expect(ddb).toHaveReceivedCommandTimes(GetItemCommand, 3);
    expect(plainInputs(ddb, GetItemCommand)).toContainEqual(
      expect.objectContaining({ Key: { id }, ConsistentRead: true }),
    );
  });

  it('answers a GET without wait from one read, without Sts-Wait', async () => {
    ddb.on(GetItemCommand).resolves({ Item: attributes(requestToItem(record('AWAITING_APPROVAL'))) });
    const { handler } = await import('../../../lambdas/handlers/api.js');
    const res = (await handler(httpEvent('GET', `/v1/requests/${id}`) as never, {} as never)) as any;
    expect(res.statusCode).toBe(200);
    expect(res.headers['sts-wait']).toBeUndefined();
    expect(ddb).toHaveReceivedCommandTimes(GetItemCommand, 1);
  });
});
