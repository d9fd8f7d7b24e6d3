import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ConflictError, InternalError } from '../../core/errors.js';
import type { RequestChanges, RequestStore } from '../../core/ports.js';
import type { Approval, RequestRecord, RequestStatus } from '../../core/types.js';
import { isAwsError } from './aws-errors.js';
import { Documents, type UpdateInput } from './documents.js';
import { approvalToItem, requestChangesToAttributes, requestFromItem, requestToItem } from './request-item.js';

/** `#status IN (…)` over `from`, its values added to `values`. */
function statusIn(from: readonly RequestStatus[], values: Record<string, unknown>): string {
  const sources = from.map((status, index) => {
    values[`:f${index}`] = status;
    return `:f${index}`;
  });
  return `#status IN (${sources.join(', ')})`;
}

/** The requests table on DynamoDB or dynalite. */
export class DynamoRequestStore implements RequestStore {
  private readonly doc: Documents;

  /**
   * @param client a DynamoDBClient created once per process.
   * @param tableName the requests table (`STS_REQUESTS_TABLE_NAME`).
   */
  constructor(
    client: DynamoDBClient,
    private readonly tableName: string,
  ) {
    this.doc = new Documents(client);
  }

  async create(record: RequestRecord): Promise<void> {
    try {
      await this.doc.put({
        TableName: this.tableName,
        Item: requestToItem(record),
        ConditionExpression: 'attribute_not_exists(id)',
      });
    } catch (error) {
      if (isAwsError(error, 'ConditionalCheckFailedException')) throw new ConflictError('The request id is taken.');
      throw error;
    }
  }

  async get(id: string, now: Date): Promise<RequestRecord | undefined> {
    const Item = await this.doc.get({ TableName: this.tableName, Key: { id }, ConsistentRead: true });
    if (!Item) return undefined;
    const record = requestFromItem(Item);
    // DynamoDB TTL deletes lazily (and dynalite never does), so an expired item is treated as gone here.
    if (record.expiresAt * 1000 < now.getTime()) return undefined;
    return record;
  }

  async transition(
    id: string,
    from: readonly RequestStatus[],
    to: RequestStatus,
    changes: RequestChanges = {},
  ): Promise<RequestRecord> {
    if (from.length === 0) throw new InternalError('A transition needs at least one source status.');
    const { set, remove } = requestChangesToAttributes(changes);
    const names: Record<string, string> = { '#status': 'status' };
    const values: Record<string, unknown> = { ':to': to };
    const assignments = ['#status = :to'];
    // Placeholders for every attribute: `status`, `role` and friends are DynamoDB reserved words.
    for (const [attribute, value] of Object.entries(set)) {
      names[`#${attribute}`] = attribute;
      values[`:${attribute}`] = value;
      assignments.push(`#${attribute} = :${attribute}`);
    }
    for (const attribute of remove) names[`#${attribute}`] = attribute;
    const removal = remove.length ? ` REMOVE ${remove.map((attribute) => `#${attribute}`).join(', ')}` : '';
    return this.update(
      {
        Key: { id },
        UpdateExpression: `SET ${assignments.join(', ')}${removal}`,
        // A missing item has no status, so this also refuses to create one.
        ConditionExpression: statusIn(from, values),
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      },
      'The request is not in a status that allows this change.',
    );
  }

  async addApproval(
    id: string,
    from: readonly RequestStatus[],
    approval: Approval,
    expected: number,
    to?: RequestStatus,
  ): Promise<RequestRecord> {
    if (from.length === 0) throw new InternalError('An approval needs at least one source status.');
    const values: Record<string, unknown> = {
      ':approval': [approvalToItem(approval)],
      ':name': [approval.accountName],
      ':approver': approval.accountName,
      ':none': [],
    };
    // No approvals yet means no attribute; a count is compared with the list's size.
    let counted = 'attribute_not_exists(approvals)';
    if (expected > 0) {
      values[':expected'] = expected;
      counted = 'size(approvals) = :expected';
    }
    let decide = '';
    if (to) {
      values[':to'] = to;
      decide = ', #status = :to';
    }
    return this.update(
      {
        Key: { id },
        UpdateExpression:
          'SET approvals = list_append(if_not_exists(approvals, :none), :approval), ' +
          `approver_names = list_append(if_not_exists(approver_names, :none), :name), approved_by = :approver${decide}`,
        // One write decides everything: the status, this approver not counted yet, the count it adds to.
        ConditionExpression:
          `${statusIn(from, values)} AND ` +
          `(attribute_not_exists(approver_names) OR NOT contains(approver_names, :approver)) AND ${counted}`,
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: values,
      },
      'The approval cannot be counted (status, approver or count changed).',
    );
  }

  /** One conditional UpdateItem returning the new record; a lost condition is a ConflictError saying `conflict`. */
  private async update(
    input: Omit<UpdateInput, 'TableName' | 'ReturnValues'>,
    conflict: string,
  ): Promise<RequestRecord> {
    try {
      const Attributes = await this.doc.update({ ...input, TableName: this.tableName, ReturnValues: 'ALL_NEW' });
      if (!Attributes) throw new InternalError('DynamoDB did not return the updated request.');
      return requestFromItem(Attributes);
    } catch (error) {
      if (isAwsError(error, 'ConditionalCheckFailedException')) throw new ConflictError(conflict);
      throw error;
    }
  }
}
