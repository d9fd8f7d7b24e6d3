/**
 * CreateTable, then wait until the table is ACTIVE. Even with `createTableMs: 0` dynalite turns a table ACTIVE
 * on a timer after it answers, so a write sent at once can find it still CREATING and fail with
 * ResourceNotFoundException (the broker's own `ensureTables` waits the same way). Bounded: 100 DescribeTable
 * calls, 10 ms apart.
 */
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';

export async function createActiveTable(client: DynamoDBClient, input: CreateTableCommandInput): Promise<void> {
  await client.send(new CreateTableCommand(input));
  for (let attempt = 0; attempt < 100; attempt++) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: input.TableName }));
    if (Table?.TableStatus === 'ACTIVE') return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`table ${input.TableName} never became ACTIVE`);
}
