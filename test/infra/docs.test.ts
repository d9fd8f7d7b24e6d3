/** docs/deploy.md states facts about the stack: keep them true. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configKeys, parseConfig } from '../../infra/config.js';
import { BROKERED_TRUST_ACTIONS } from '../../infra/constructs/brokered-role.js';

const doc = readFileSync(new URL('../../docs/deploy.md', import.meta.url), 'utf8');

function section(title: string): string {
  const start = doc.indexOf(`\n## ${title}\n`);
  expect(start).toBeGreaterThan(0);
  const end = doc.indexOf('\n## ', start + 1);
  return doc.slice(start, end === -1 ? undefined : end);
}

describe('docs/deploy.md', () => {
  it('documents every configuration key, and no other', () => {
    const rows = [...section('Configuration').matchAll(/^\| `(\w+)` \|/gm)].map((m) => m[1]);
    expect(rows).toEqual([...configKeys]);
  });

  it('gives a trust-policy snippet with exactly the actions BrokeredRole trusts', () => {
    const json = /```json\n(\{\n {2}"Version"[\s\S]*?)```/.exec(section('Create the target roles'))?.[1];
    const policy = JSON.parse(json ?? 'null');
    expect(policy.Statement).toHaveLength(1);
    expect(policy.Statement[0].Effect).toBe('Allow');
    expect([...policy.Statement[0].Action].sort()).toEqual([...BROKERED_TRUST_ACTIONS].sort());
  });

  it('shows an example config file that the validation accepts', () => {
    const json = /Example `stsftw.config.json`:\n\n```json\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(() => parseConfig(JSON.parse(json ?? 'null'))).not.toThrow();
  });
});
