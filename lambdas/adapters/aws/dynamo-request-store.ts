import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConflictError, InternalError } from '../../core/errors.js';
import type { RequestChanges, RequestStore } from '../../core/ports.js';
import {
  type Approval,
  type RequestRecord,
  type RequestStatus,
  requestStatuses,
  type Sealed,
} from '../../core/types.js';
import { isAwsError } from './aws-errors.js';
import { optionalNumber, optionalString } from './item-values.js';

/** A requests table item as lib-dynamodb reads and writes it (snake_case attribute names, DESIGN.md §3). */
export type RequestItem = Record<string, unknown>;

/**
 * Record fields stored one-to-one, with their attribute names. `sealedCredentials` (a JSON string),
 * `error` (`error_code` + `error_message`) and `approvals` (`approvals` + `approver_names`) are mapped
 * separately.
 */
export const requestAttributeNames = {
  issuer: 'issuer',
  accountName: 'account_name',
  role: 'role',
  secondaryAccountName: 'secondary_account_name',
  durationSeconds: 'duration_seconds',
  publicKey: 'public_key',
  reason: 'reason',
  taskToken: 'task_token',
  approvedBy: 'approved_by',
  approvalsRequired: 'approvals_required',
  deniedBy: 'denied_by',
  denialReason: 'denial_reason',
  expiration: 'expiration',
  createdAt: 'created_at',
  decisionDeadline: 'decision_deadline',
  expiresAt: 'expires_at',
} as const satisfies Partial<Record<keyof RequestRecord, string>>;

type SimpleField = keyof typeof requestAttributeNames;

/**
 * Splits record changes into attributes to SET and attribute names to REMOVE (`null` values).
 * `undefined` values mean "leave as is" and are skipped.
 */
export function requestChangesToAttributes(changes: RequestChanges): { set: RequestItem; remove: string[] } {
  const set: RequestItem = {};
  const remove: string[] = [];
  for (const field of Object.keys(requestAttributeNames) as SimpleField[]) {
    const value = changes[field];
    if (value === null) remove.push(requestAttributeNames[field]);
    else if (value !== undefined) set[requestAttributeNames[field]] = value;
  }
  if (changes.sealedCredentials === null) remove.push('sealed_credentials');
  else if (changes.sealedCredentials !== undefined) {
    // A JSON string, exactly what the state machine's `Release Credentials` step writes from the mint result.
    set.sealed_credentials = JSON.stringify({
      enc: changes.sealedCredentials.enc,
      ciphertext: changes.sealedCredentials.ciphertext,
    });
  }
  if (changes.approvals === null) remove.push('approvals', 'approver_names');
  else if (changes.approvals !== undefined) {
    set.approvals = changes.approvals.map(approvalToItem);
    set.approver_names = changes.approvals.map((approval) => approval.accountName);
  }
  if (changes.error === null) remove.push('error_code', 'error_message');
  else if (changes.error !== undefined) {
    set.error_code = changes.error.code;
    set.error_message = changes.error.message;
  }
  return { set, remove };
}

function approvalToItem(approval: Approval): RequestItem {
  return { account_name: approval.accountName, approved_at: approval.approvedAt };
}

/** Reads `approvals` leniently: entries without a name are skipped. */
function approvalsFromItem(value: unknown): Approval[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item) => {
    const accountName = optionalString(item?.account_name);
    return accountName === undefined ? [] : [{ accountName, approvedAt: optionalString(item.approved_at) ?? '' }];
  });
}

/** Maps a request record to its requests table item; unset optional fields are left out. */
export function requestToItem(record: RequestRecord): RequestItem {
  const { id, status, ...rest } = record;
  return { id, status, ...requestChangesToAttributes(rest).set };
}

function parseSealed(value: unknown): Sealed {
  let parsed: unknown = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      throw new InternalError('Stored sealed credentials are not valid JSON.');
    }
  }
  const { enc, ciphertext } = (parsed ?? {}) as Partial<Sealed>;
  if (typeof enc !== 'string' || typeof ciphertext !== 'string') {
    throw new InternalError('Stored sealed credentials are malformed.');
  }
  return { enc, ciphertext };
}

/** Maps a requests table item (ours, or written by the state machine's DynamoDB step) to a record. */
export function requestFromItem(item: RequestItem): RequestRecord {
  const status = item.status as RequestStatus;
  if (!requestStatuses.includes(status)) throw new InternalError('Stored request has an unknown status.');
  const record: RequestRecord = {
    id: optionalString(item.id) ?? '',
    status,
    issuer: optionalString(item.issuer) ?? '',
    accountName: optionalString(item.account_name) ?? '',
    role: optionalString(item.role) ?? '',
    durationSeconds: optionalNumber(item.duration_seconds) ?? 0,
    publicKey: optionalString(item.public_key) ?? '',
    createdAt: optionalString(item.created_at) ?? '',
    decisionDeadline: optionalString(item.decision_deadline) ?? '',
    expiresAt: optionalNumber(item.expires_at) ?? 0,
  };
  const optionalStrings = [
    'secondaryAccountName',
    'reason',
    'taskToken',
    'approvedBy',
    'deniedBy',
    'denialReason',
    'expiration',
  ] as const;
  for (const field of optionalStrings) {
    const value = optionalString(item[requestAttributeNames[field]]);
    if (value !== undefined) record[field] = value;
  }
  const approvalsRequired = optionalNumber(item.approvals_required);
  if (approvalsRequired !== undefined) record.approvalsRequired = approvalsRequired;
  const approvals = approvalsFromItem(item.approvals);
  if (approvals.length > 0) record.approvals = approvals;
  if (item.sealed_credentials !== undefined) record.sealedCredentials = parseSealed(item.sealed_credentials);
  const code = optionalString(item.error_code);
  if (code !== undefined) record.error = { code, message: optionalString(item.error_message) ?? '' };
  return record;
}

/** The requests table on DynamoDB or dynalite. */
export class DynamoRequestStore implements RequestStore {
  private readonly doc: DynamoDBDocumentClient;

  /**
   * @param client a DynamoDBClient created once per process.
   * @param tableName the requests table (`STS_REQUESTS_TABLE_NAME`).
   */
  constructor(
    client: DynamoDBClient,
    private readonly tableName: string,
  ) {
    this.doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  }

  async create(record: RequestRecord): Promise<void> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: requestToItem(record),
          ConditionExpression: 'attribute_not_exists(id)',
        }),
      );
    } catch (error) {
      if (isAwsError(error, 'ConditionalCheckFailedException')) throw new ConflictError('The request id is taken.');
      throw error;
    }
  }

  async get(id: string, now: Date): Promise<RequestRecord | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: { id }, ConsistentRead: true }),
    );
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
    const sources = from.map((status, index) => {
      values[`:f${index}`] = status;
      return `:f${index}`;
    });
    const removal = remove.length ? ` REMOVE ${remove.map((attribute) => `#${attribute}`).join(', ')}` : '';
    try {
      const { Attributes } = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { id },
          UpdateExpression: `SET ${assignments.join(', ')}${removal}`,
          // A missing item has no status, so this also refuses to create one.
          ConditionExpression: `#status IN (${sources.join(', ')})`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      if (!Attributes) throw new InternalError('DynamoDB did not return the updated request.');
      return requestFromItem(Attributes);
    } catch (error) {
      if (isAwsError(error, 'ConditionalCheckFailedException')) {
        throw new ConflictError('The request is not in a status that allows this change.');
      }
      throw error;
    }
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
    const sources = from.map((status, index) => {
      values[`:f${index}`] = status;
      return `:f${index}`;
    });
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
    try {
      const { Attributes } = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { id },
          UpdateExpression:
            'SET approvals = list_append(if_not_exists(approvals, :none), :approval), ' +
            `approver_names = list_append(if_not_exists(approver_names, :none), :name), approved_by = :approver${decide}`,
          // One write decides everything: the status, this approver not counted yet, the count it adds to.
          ConditionExpression:
            `#status IN (${sources.join(', ')}) AND ` +
            `(attribute_not_exists(approver_names) OR NOT contains(approver_names, :approver)) AND ${counted}`,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      if (!Attributes) throw new InternalError('DynamoDB did not return the updated request.');
      return requestFromItem(Attributes);
    } catch (error) {
      if (isAwsError(error, 'ConditionalCheckFailedException')) {
        throw new ConflictError('The approval cannot be counted (status, approver or count changed).');
      }
      throw error;
    }
  }
}
