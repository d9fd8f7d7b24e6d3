/**
 * The stores' items as plain JavaScript values over the plain DynamoDB client: what `@aws-sdk/lib-dynamodb`'s
 * document client does, in the five calls the stores make, marshalled with `@aws-sdk/util-dynamodb` (the
 * library the document client marshals with, same options).
 *
 * Why not the document client: each of its commands resolves the client's whole middleware stack twice per
 * call (it cannot use the SDK's `cacheMiddleware`, which it refuses), and that resolution was a fifth of the
 * embedded broker's CPU under status reads (docs/benchmarks.md, section 7). The plain commands resolve theirs
 * once per command class when the client is created with `cacheMiddleware: true` (`dynamoClientOptions`).
 */
import {
  type AttributeValue,
  DeleteItemCommand,
  type DeleteItemCommandInput,
  type DynamoDBClient,
  GetItemCommand,
  type GetItemCommandInput,
  PutItemCommand,
  type PutItemCommandInput,
  QueryCommand,
  type QueryCommandInput,
  UpdateItemCommand,
  type UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';

/** The options every DynamoDB client of the broker is created with (with its own endpoint, region…). */
export const dynamoClientOptions = { cacheMiddleware: true } as const;

/** An item, a key or a set of expression values, as plain values. */
export type Document = Record<string, unknown>;

type AttributeMap = Record<string, AttributeValue>;

// As the stores configured the document client: an `undefined` field is left out, not an error.
const toAttributes = (value: Document): AttributeMap =>
  marshall(value, { removeUndefinedValues: true }) as AttributeMap;
const fromAttributes = (value: AttributeMap | undefined): Document | undefined =>
  value === undefined ? undefined : unmarshall(value);

/** A command's input with plain values where it holds attribute values. */
type Plain<T, K extends keyof T> = Omit<T, K | 'ExpressionAttributeValues'> & {
  [P in K]: Document;
} & { ExpressionAttributeValues?: Document };

export type GetInput = Plain<GetItemCommandInput, 'Key'>;
export type PutInput = Plain<PutItemCommandInput, 'Item'>;
export type UpdateInput = Plain<UpdateItemCommandInput, 'Key'>;
export type DeleteInput = Plain<DeleteItemCommandInput, 'Key'>;
export type QueryInput = Omit<QueryCommandInput, 'ExclusiveStartKey' | 'ExpressionAttributeValues'> & {
  ExclusiveStartKey?: Document;
  ExpressionAttributeValues?: Document;
};

/** The parts of an input that hold values, marshalled; everything else is passed as it is. */
function attributes<T extends { ExpressionAttributeValues?: Document }>(input: T) {
  const { ExpressionAttributeValues: values, ...rest } = input;
  return { ...rest, ...(values ? { ExpressionAttributeValues: toAttributes(values) } : {}) };
}

/** One table's items through `client` (created with `dynamoClientOptions`). */
export class Documents {
  constructor(private readonly client: DynamoDBClient) {}

  async get(input: GetInput): Promise<Document | undefined> {
    const { Item } = await this.client.send(new GetItemCommand({ ...input, Key: toAttributes(input.Key) }));
    return fromAttributes(Item);
  }

  async put(input: PutInput): Promise<void> {
    await this.client.send(new PutItemCommand({ ...attributes(input), Item: toAttributes(input.Item) }));
  }

  /** The `ReturnValues` it asks for, as plain values (undefined when it asks for none). */
  async update(input: UpdateInput): Promise<Document | undefined> {
    const { Attributes } = await this.client.send(
      new UpdateItemCommand({ ...attributes(input), Key: toAttributes(input.Key) }),
    );
    return fromAttributes(Attributes);
  }

  async delete(input: DeleteInput): Promise<void> {
    await this.client.send(new DeleteItemCommand({ ...attributes(input), Key: toAttributes(input.Key) }));
  }

  async query(input: QueryInput): Promise<{ items: Document[]; lastKey?: Document }> {
    const { ExclusiveStartKey: start, ...rest } = input;
    const page = await this.client.send(
      new QueryCommand({ ...attributes(rest), ...(start ? { ExclusiveStartKey: toAttributes(start) } : {}) }),
    );
    return {
      items: (page.Items ?? []).map((item) => unmarshall(item)),
      ...(page.LastEvaluatedKey ? { lastKey: unmarshall(page.LastEvaluatedKey) } : {}),
    };
  }
}
