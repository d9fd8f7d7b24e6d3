/**
 * The embedded broker's parts, as the Lambdas' entries make theirs: the one composition (`lambdas/compose.ts`)
 * over dynalite, with local stand-ins for the KMS key (a key file), the SNS topic (the audit log) and, by
 * default, STS. The three functions' tasks run in process, behind the same router as on Lambda.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { loadDefinition, localSubstitutions } from '../../../statemachine/definition.js';
import { compose } from '../../compose.js';
import type { Broker } from '../../core/broker.js';
import type { TableNames } from '../../core/config.js';
import type { Clock } from '../../core/ports.js';
import { mintRoutes, taskHandler, verifyRoutes } from '../../handlers/task-router.js';
import { chooseMinter } from './choose-minter.js';
import { FileAudit } from './file-audit.js';
import { createLocalCipher } from './local-cipher.js';
import { LocalNotifier } from './local-notifier.js';
import { createLocalWorkflow, type LocalWorkflow } from './local-workflow.js';
import { recoverInterruptedRequests } from './recovery.js';
import { RequestChanges, watchRequestWrites } from './request-changes.js';

/** What the parts are made from (the lifecycle owns the database and the data dir's paths). */
export interface LocalBrokerOptions {
  dynamodb: DynamoDBClient;
  tables: TableNames;
  /** `<data-dir>/local.key` (created 0600 if missing). */
  keyFile: string;
  /** `<data-dir>/audit.log`. */
  auditLog: string;
  approvalTimeoutSeconds: number;
  minter: 'local' | 'aws';
  clock: Clock;
  log: (line: object) => void;
  print?: (line: string) => void;
  /** `--notify-url`: where notifications are POSTed (they are printed either way). */
  notifyUrl?: string;
  /** The broker's own address once it listens, for the links in notifications. */
  publicUrl?: () => string | undefined;
}

/** The broker for the HTTP app, the workflow whose executions closing must abort, the long-polls' waiters. */
export interface LocalBroker {
  broker: Broker;
  workflow: LocalWorkflow;
  changes: RequestChanges;
}

/** What the deployed broker's configuration defaults to. */
const MAX_SESSION_SECONDS = 3600;
const REQUEST_RETENTION_SECONDS = 86_400;
/** Pause between task retries: the definition's AWS backoff is tuned for Lambda, not for in-process calls. */
const RETRY_INTERVAL_MS = 250;

/**
 * Builds the parts. Requests a previous run left in flight are closed first (FAILED, `broker_restarted`):
 * their executions lived in that run's memory.
 */
export async function createLocalBroker(options: LocalBrokerOptions): Promise<LocalBroker> {
  const { dynamodb, tables, clock, log } = options;
  const parts = compose(dynamodb, tables, clock);
  // Every write of a request, whoever makes it, wakes the long-polls waiting on it.
  const changes = new RequestChanges(clock);
  watchRequestWrites(dynamodb, tables.requestsTableName, (id) => changes.changed(id));
  const cipher = await createLocalCipher(options.keyFile);
  const audit = new FileAudit(options.auditLog, options.print);
  const { minter, roles } = await chooseMinter(options.minter);

  const recovered = await recoverInterruptedRequests({
    dynamodb,
    requestsTableName: tables.requestsTableName,
    requests: parts.requests,
    audit,
    clock,
  });
  if (recovered.length > 0) log({ msg: 'closed requests left in flight by a previous run', count: recovered.length });

  const workflow = createLocalWorkflow({
    definition: loadDefinition(localSubstitutions({ requestsTableName: tables.requestsTableName })),
    // Both task functions' routes, as their Lambdas serve them.
    dispatch: taskHandler({
      ...verifyRoutes(
        parts.verifyTasks(
          {
            cipher,
            audit,
            notifier: new LocalNotifier({ url: options.notifyUrl, print: options.print }),
            links: () => ({ publicUrl: options.publicUrl?.(), approvePage: true }),
            log,
          },
          roles,
        ),
      ),
      ...mintRoutes(parts.mintTask({ minter }, { ...roles, maxSessionSeconds: MAX_SESSION_SECONDS })),
    }),
    dynamodb,
    audit: (message) => audit.append(message),
    retryIntervalMs: RETRY_INTERVAL_MS,
    onSettled: (id, status) => log({ msg: 'execution settled', requestId: id, status }),
  });
  const broker = parts.broker(
    { cipher, audit, workflow, watcher: changes },
    {
      ...roles,
      approvalTimeoutSeconds: options.approvalTimeoutSeconds,
      maxSessionSeconds: MAX_SESSION_SECONDS,
      requestRetentionSeconds: REQUEST_RETENTION_SECONDS,
    },
  );
  return { broker, workflow, changes };
}
