/**
 * An in-memory dynalite on a loopback TCP port with a client for it, for tests that exercise the DynamoDB
 * adapters directly (the embedded broker itself serves dynalite on a Unix socket, see local-dynamo.ts).
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { dynamoClientOptions } from '../../lambdas/adapters/aws/documents.js';

/** A running dynalite, its endpoint and a client; `close()` stops both. */
export interface TcpDynalite {
  endpoint: string;
  client: DynamoDBClient;
  close(): Promise<void>;
}

/** Starts dynalite (tables ACTIVE at once) on 127.0.0.1 and a free port. */
export async function startTcpDynalite(): Promise<TcpDynalite> {
  const server: Server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // Created as the broker creates its clients (cached middleware included).
  const client = new DynamoDBClient({
    ...dynamoClientOptions,
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  return {
    endpoint,
    client,
    close: async () => {
      client.destroy();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
