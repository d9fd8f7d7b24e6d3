/**
 * Unit tests mock the plain DynamoDB client the stores call (`lambdas/adapters/aws/documents.ts`) and state
 * items and inputs as plain values: these convert them to and from attribute values as DynamoDB sees them.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';

type AttributeMap = Record<string, AttributeValue>;

/** A plain item as the attribute values a DynamoDB answer carries. */
export const attributes = (item: Record<string, unknown>): AttributeMap =>
  marshall(item, { removeUndefinedValues: true }) as AttributeMap;

const VALUE_FIELDS = ['Key', 'Item', 'ExpressionAttributeValues', 'ExclusiveStartKey'] as const;

/** A command input with its attribute-value fields read back as plain values. */
export function plainInput(input: object): Record<string, unknown> {
  const plain: Record<string, unknown> = { ...input };
  for (const field of VALUE_FIELDS) {
    if (plain[field]) plain[field] = unmarshall(plain[field] as AttributeMap);
  }
  return plain;
}

interface CallsOf {
  commandCalls(command: never): { args: [{ input: object }] }[];
}

/** Every input `mock` received for `command`, as plain values (to assert whole inputs, extra fields included). */
export function plainInputs(mock: CallsOf, command: unknown): Record<string, unknown>[] {
  return mock.commandCalls(command as never).map((call) => plainInput(call.args[0].input));
}
