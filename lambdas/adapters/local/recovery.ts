/**
 * Restart recovery for the embedded broker. Its executions live in memory, so requests a previous run
 * left in flight can never finish: close them as FAILED (`broker_restarted`) before serving again.
 */
import { type AttributeValue, type DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { ConflictError } from '../../core/errors.js';
import type { AuditSink, Clock, RequestStore } from '../../core/ports.js';
import type { RequestErrorInfo, RequestStatus } from '../../core/types.js';

/** Statuses only a live execution can move on from. */
export const inFlightStatuses: readonly RequestStatus[] = ['VERIFYING', 'AWAITING_APPROVAL', 'APPROVED'];

/** The error recorded on every recovered request. */
export const brokerRestarted: RequestErrorInfo = {
  code: 'broker_restarted',
  message: 'The broker restarted while this request was in progress; no credentials were released. Request again.',
};

/** What recovery needs: the raw client for the Scan, the store for the conditional transition. */
export interface RecoveryDeps {
  dynamodb: DynamoDBClient;
  requestsTableName: string;
  requests: RequestStore;
  audit: AuditSink;
  clock: Clock;
}

/**
 * Moves every in-flight request to FAILED and audits it. A Scan is acceptable here only: it runs once at
 * start-up, on a local table with no other reader (the deployed broker never scans).
 * @returns the ids it failed.
 */
export async function recoverInterruptedRequests(deps: RecoveryDeps): Promise<string[]> {
  const candidates: { id: string; status: RequestStatus }[] = [];
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await deps.dynamodb.send(
      new ScanCommand({
        TableName: deps.requestsTableName,
        ProjectionExpression: '#id, #status',
        FilterExpression: `#status IN (${inFlightStatuses.map((_, i) => `:s${i}`).join(', ')})`,
        ExpressionAttributeNames: { '#id': 'id', '#status': 'status' },
        ExpressionAttributeValues: Object.fromEntries(inFlightStatuses.map((s, i) => [`:s${i}`, { S: s }])),
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) {
      if (item.id?.S && item.status?.S) candidates.push({ id: item.id.S, status: item.status.S as RequestStatus });
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);

  const failed: string[] = [];
  for (const { id, status } of candidates) {
    let record: Awaited<ReturnType<RequestStore['transition']>>;
    try {
      // Conditional on the status just read: only this start-up touches the table, but stay exact anyway.
      record = await deps.requests.transition(id, [status], 'FAILED', { error: brokerRestarted, taskToken: null });
    } catch (error) {
      if (error instanceof ConflictError) continue;
      throw error;
    }
    failed.push(id);
    await deps.audit.publish({
      type: 'request.failed',
      at: deps.clock.now().toISOString(),
      issuer: record.issuer,
      accountName: record.accountName,
      requestId: id,
      role: record.role,
      error: brokerRestarted,
    });
  }
  return failed;
}
