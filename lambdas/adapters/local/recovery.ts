/**
 * Restart recovery for the embedded broker. Its executions live in memory, so requests a previous run
 * left in flight can never finish: close them as FAILED (`broker_restarted`) before serving again.
 */
import { type AttributeValue, type DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { outcomeEvent } from '../../core/audit-event.js';
import { ConflictError } from '../../core/errors.js';
import type { AuditSink, Clock, RequestStore } from '../../core/ports.js';
import { type AuditEvent, inFlightStatuses, type RequestErrorInfo } from '../../core/types.js';

/** The error of requests the embedded broker closes on start. */
export const BROKER_RESTARTED: RequestErrorInfo = {
  code: 'broker_restarted',
  message: 'The broker restarted before this request finished; no credentials were released.',
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
 * Closes a request a previous run left unfinished: FAILED with code `broker_restarted`, task token removed.
 * @returns the audit event to publish, or undefined if the request had already finished (or is gone).
 */
export async function closeAsRestarted(requests: RequestStore, id: string, now: Date): Promise<AuditEvent | undefined> {
  try {
    const record = await requests.transition(id, inFlightStatuses, 'FAILED', {
      error: BROKER_RESTARTED,
      taskToken: null,
    });
    return outcomeEvent(record, now);
  } catch (e) {
    if (e instanceof ConflictError) return undefined;
    throw e;
  }
}

/**
 * Moves every in-flight request to FAILED and audits it. A Scan is acceptable here only: it runs once at
 * start-up, on a local table with no other reader (the deployed broker never scans).
 * @returns the ids it failed.
 */
export async function recoverInterruptedRequests(deps: RecoveryDeps): Promise<string[]> {
  const candidates: string[] = [];
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
      if (item.id?.S) candidates.push(item.id.S);
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);

  const failed: string[] = [];
  for (const id of candidates) {
    // Conditional on a non-terminal status: a request that finished meanwhile is left as it is.
    const event = await closeAsRestarted(deps.requests, id, deps.clock.now());
    if (!event) continue;
    failed.push(id);
    await deps.audit.publish(event);
  }
  return failed;
}
