import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { skipReasons } from '../../../../cli/admin/migration.js';
import { type LocalBroker, runCli, startLocalBroker } from '../../../support/cli-harness.js';

// Only the report is faked: a concurrent change cannot be provoked from outside the command's own cipher.
vi.mock('../../../../cli/admin/migration.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../../../cli/admin/migration.js')>();
  return {
    ...actual,
    migrateTable: vi.fn(async () => ({
      migrated: 1,
      alreadyDone: 0,
      skipped: [{ issuer: 'acme', accountName: 'frank', reason: actual.skipReasons.changed }],
      cannotCarryOver: [],
    })),
  };
});

describe('sts migrate exit code', () => {
  let broker: LocalBroker;
  beforeAll(async () => {
    broker = await startLocalBroker();
  });
  afterAll(async () => {
    await broker.close();
  });

  it('fails when an entry still holds a plaintext secret after the run', async () => {
    const result = await runCli(['migrate', ...broker.localArgs]);
    expect(result.stdout).toBe(`migrated 1, already done 0, skipped 1 (${skipReasons.changed}: acme/frank).\n`);
    expect(result.stderr).toBe(
      'sts: 1 entry changed during the migration and still holds a plaintext secret: run `sts migrate` again.\n',
    );
    expect(result.code).toBe(6);
  });
});
