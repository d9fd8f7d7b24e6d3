/**
 * Approval rules in the administrator commands (issue 9): `sts enroll --approvals`, `sts update approvals`,
 * `sts update roles|authorizers` keeping the rules valid, and `sts list` showing them.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type LocalBroker, runCli, ScriptedTerminal, startLocalBroker } from '../../../support/cli-harness.js';

const ROLES = 'ReadOnly,Admin,BreakGlass';
const TEAM_RULES = ['--approvals', 'ReadOnly=0', '--approvals', 'Admin=1', '--approvals', 'BreakGlass=2:sec1,sec2'];
const TEAM_ITEM = {
  L: [
    { M: { role: { S: 'ReadOnly' }, approvals: { N: '0' } } },
    { M: { role: { S: 'Admin' }, approvals: { N: '1' } } },
    { M: { role: { S: 'BreakGlass' }, approvals: { N: '2' }, approvers: { L: [{ S: 'sec1' }, { S: 'sec2' }] } } },
  ],
};

describe('approval rules in the administrator commands', () => {
  let broker: LocalBroker;
  let n = 0;
  let account: string;
  let who: string[];

  const enrollArgs = (extra: string[] = []) => [
    'enroll',
    ...who,
    '--roles',
    ROLES,
    '--secondary-authorizers',
    'bob',
    ...extra,
    '--no-verify',
    '--json',
  ];
  const rules = async () => (await broker.rawItem('acme', account))?.approval_rules;

  beforeAll(async () => {
    broker = await startLocalBroker();
    for (const name of ['bob', 'sec1', 'sec2']) {
      const args = ['enroll', ...broker.localArgs, '--issuer', 'acme', '--account-name', name, '--no-verify', '--json'];
      expect((await runCli(args)).code).toBe(0);
    }
  });
  afterAll(async () => {
    await broker.close();
  });
  beforeEach(() => {
    account = `alice${++n}`;
    who = [...broker.localArgs, '--issuer', 'acme', '--account-name', account];
  });

  describe('sts enroll --approvals', () => {
    it('stores one rule per flag and names them in the "Enrolled" line', async () => {
      const args = ['enroll', ...who, '--roles', ROLES, '--secondary-authorizers', 'bob', ...TEAM_RULES, '--no-verify'];
      const result = await runCli(args, {}, { terminal: new ScriptedTerminal() });
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toBe(
        `Enrolled ${account} in acme (roles: ReadOnly, Admin, BreakGlass; secondary authorizers: bob; approvals: ReadOnly=0, Admin=1, BreakGlass=2:sec1,sec2).\n`,
      );
      expect(result.stderr).toBe('');
      expect(await rules()).toEqual(TEAM_ITEM);
    });

    it('keeps the --json output as it was (no rules, nothing secret added)', async () => {
      const result = await runCli(enrollArgs(TEAM_RULES));
      expect(result.code, result.stderr).toBe(0);
      expect(Object.keys(JSON.parse(result.stdout)).sort()).toEqual(['accountName', 'issuer', 'otpauthUrl']);
      expect(await rules()).toEqual(TEAM_ITEM);
    });

    it('accepts * for every role without its own rule', async () => {
      const result = await runCli(enrollArgs(['--approvals', '*=2:sec1,sec2', '--approvals', 'ReadOnly=0']));
      expect(result.code, result.stderr).toBe(0);
      expect(await rules()).toEqual({
        L: [
          { M: { role: { S: '*' }, approvals: { N: '2' }, approvers: { L: [{ S: 'sec1' }, { S: 'sec2' }] } } },
          { M: { role: { S: 'ReadOnly' }, approvals: { N: '0' } } },
        ],
      });
    });

    it('takes a role named by its ARN, as the entry names it', async () => {
      const arn = 'arn:aws:iam::123456789012:role/stsftw/stsftw-admin';
      const args = ['enroll', ...who, '--roles', arn, '--secondary-authorizers', 'bob,sec1'];
      const result = await runCli([...args, '--approvals', `${arn}=2`, '--no-verify', '--json']);
      expect(result.code, result.stderr).toBe(0);
      expect(await rules()).toEqual({ L: [{ M: { role: { S: arn }, approvals: { N: '2' } } }] });
      const update = await runCli(['update', 'approvals', ...who, `${arn}=1:sec1`]);
      expect(update.stdout).toBe(`Approval rules of ${account} in acme: ${arn}=1:sec1.\n`);
    });

    it('stores no rules attribute without --approvals', async () => {
      expect((await runCli(enrollArgs())).code).toBe(0);
      expect(await rules()).toBeUndefined();
    });

    it.each([
      ['more approvals than approvers', 'BreakGlass=3:sec1,sec2', 'asks for 3 approvals but its own list names 2'],
      ['more approvals than authorizers', 'Admin=2', 'asks for 2 approvals but the secondary authorizers names 1'],
      ['an approver not enrolled', 'BreakGlass=1:sec1,ghost', 'ghost is not enrolled in acme'],
      ['an authorizer not enrolled', 'Admin=1', 'carol is not enrolled in acme'],
      ['the account as its own approver', 'BreakGlass=1:SELF', 'cannot approve their own requests'],
      ['a role the entry does not have', 'Ops=1', 'names "Ops", which is not one of'],
      ['too many approvals', 'Admin=6', 'must ask for 0 to 5 approvals'],
      ['no number', 'Admin', 'An approval rule reads ROLE=N'],
      ['a negative number', 'Admin=-1', 'An approval rule reads ROLE=N'],
      ['an empty approver list', 'Admin=1:', 'lists no approver'],
      ['two rules for one role', 'ReadOnly=1', 'two approval rules for ReadOnly'],
    ])('refuses %s with exit 2 before showing a QR code, storing nothing', async (_what, rule, message) => {
      const authorizers = message.startsWith('carol') ? 'bob,carol' : 'bob';
      const extra = rule === 'ReadOnly=1' ? ['--approvals', 'ReadOnly=0'] : [];
      const terminal = new ScriptedTerminal(() => '000000');
      const result = await runCli(
        [
          'enroll',
          ...who,
          '--roles',
          ROLES,
          '--secondary-authorizers',
          authorizers,
          ...extra,
          '--approvals',
          rule.replace('SELF', account),
        ],
        {},
        { terminal },
      );
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(message);
      expect(result.stderr).toMatch(/^sts: [^\n]+\n$/);
      expect(result.stdout).toBe('');
      expect(terminal.said).toEqual([]);
      expect(await broker.rawItem('acme', account)).toBeUndefined();
    });
  });

  describe('sts update approvals', () => {
    beforeEach(async () => {
      expect((await runCli(enrollArgs(TEAM_RULES))).code).toBe(0);
    });

    it('replaces the rule of each role given, keeps the others, and reports the entry', async () => {
      const result = await runCli(['update', 'approvals', ...who, 'Admin=0', 'BreakGlass=1:sec2']);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toBe(`Approval rules of ${account} in acme: ReadOnly=0, Admin=0, BreakGlass=1:sec2.\n`);
      expect(await rules()).toEqual({
        L: [
          { M: { role: { S: 'ReadOnly' }, approvals: { N: '0' } } },
          { M: { role: { S: 'Admin' }, approvals: { N: '0' } } },
          { M: { role: { S: 'BreakGlass' }, approvals: { N: '1' }, approvers: { L: [{ S: 'sec2' }] } } },
        ],
      });
    });

    it('adds a rule for * after the existing ones', async () => {
      const result = await runCli(['update', 'approvals', ...who, '*=1', '--json']);
      expect(result.code, result.stderr).toBe(0);
      expect(JSON.parse(result.stdout)).toMatchObject({
        accountName: account,
        approvalRules: [
          { role: 'ReadOnly', approvals: 0 },
          { role: 'Admin', approvals: 1 },
          { role: 'BreakGlass', approvals: 2, approvers: ['sec1', 'sec2'] },
          { role: '*', approvals: 1 },
        ],
        hasSecret: true,
      });
    });

    it('clears rules with --clear (repeatable, * included), and removes the attribute with the last one', async () => {
      expect((await runCli(['update', 'approvals', ...who, '*=0'])).code).toBe(0);
      const some = await runCli(['update', 'approvals', ...who, '--clear', 'Admin', '--clear', '*']);
      expect(some.code, some.stderr).toBe(0);
      expect(some.stdout).toBe(
        `Approval rules of ${account} in acme: ReadOnly=0, BreakGlass=2:sec1,sec2; other roles: 1 of the secondary authorizers.\n`,
      );

      const all = await runCli(['update', 'approvals', ...who, '--clear', 'ReadOnly', '--clear', 'BreakGlass']);
      expect(all.code, all.stderr).toBe(0);
      expect(all.stdout).toBe(
        `Approval rules of ${account} in acme: none (every role needs 1 of the secondary authorizers).\n`,
      );
      expect(await rules()).toBeUndefined();
    });

    it('clears one rule and sets another in the same call', async () => {
      const result = await runCli(['update', 'approvals', ...who, '--clear', 'BreakGlass', 'Admin=0']);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toBe(
        `Approval rules of ${account} in acme: ReadOnly=0, Admin=0; other roles: 1 of the secondary authorizers.\n`,
      );
    });

    it('notes a --clear that matches no rule', async () => {
      const result = await runCli(['update', 'approvals', ...who, '--clear', 'admin']);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toBe(`sts: note: ${account} has no approval rule for admin; nothing to clear.\n`);
      expect(await rules()).toEqual(TEAM_ITEM);
    });

    it.each([
      ['no rule and no --clear', [], 'Give at least one rule'],
      ['a rule and --clear for one role', ['Admin=0', '--clear', 'Admin'], 'both sets and clears'],
      ['a malformed rule', ['Admin:1'], 'An approval rule reads ROLE=N'],
      ['more approvals than approvers', ['BreakGlass=3:sec1,sec2'], 'asks for 3 approvals but its own list names 2'],
      ['an approver not enrolled', ['Admin=1:ghost'], 'ghost is not enrolled in acme'],
      ['the account as its own approver', ['Admin=1:SELF'], 'cannot approve their own requests'],
      ['a role the entry does not have', ['Ops=0'], 'names "Ops", which is not one of'],
      ['too many approvals', ['Admin=9'], 'must ask for 0 to 5 approvals'],
      ['two rules for one role', ['Admin=0', 'Admin=1'], 'two approval rules for Admin'],
    ])('refuses %s with exit 2 and changes nothing', async (_what, args, message) => {
      const result = await runCli(['update', 'approvals', ...who, ...args.map((a) => a.replace('SELF', account))]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(message);
      expect(result.stderr).toMatch(/^sts: [^\n]+\n$/);
      expect(result.stdout).toBe('');
      expect(await rules()).toEqual(TEAM_ITEM);
    });

    it('refuses an account that is not enrolled (exit 5)', async () => {
      const args = ['update', 'approvals', ...broker.localArgs, '--issuer', 'acme', '--account-name', 'ghost', '*=0'];
      const result = await runCli(args);
      expect(result).toMatchObject({ code: 5, stderr: expect.stringContaining('ghost is not enrolled in acme') });
      expect(await broker.rawItem('acme', 'ghost')).toBeUndefined();
    });
  });

  describe('sts update roles and authorizers keep the rules valid', () => {
    beforeEach(async () => {
      expect((await runCli(enrollArgs(TEAM_RULES))).code).toBe(0);
    });

    it('refuses to drop a role that has a rule, saying how to clear it', async () => {
      const result = await runCli(['update', 'roles', 'ReadOnly', 'BreakGlass', ...who]);
      expect(result.code).toBe(2);
      expect(result.stderr).toBe(
        `sts: ${account}'s approval rule Admin=1 is for a role these roles leave out: clear it first (\`sts update approvals --local --issuer acme --account-name ${account} --clear Admin\`), or keep the role.\n`,
      );
      expect((await broker.rawItem('acme', account))?.roles).toEqual({
        L: [{ S: 'ReadOnly' }, { S: 'Admin' }, { S: 'BreakGlass' }],
      });
    });

    it('refuses --none while a role has a rule', async () => {
      const result = await runCli(['update', 'roles', '--none', ...who]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('approval rule ReadOnly=0 is for a role');
    });

    it('lets roles change when every rule keeps its role', async () => {
      const result = await runCli(['update', 'roles', 'ReadOnly', 'Admin', 'BreakGlass', 'Ops', ...who]);
      expect(result.code, result.stderr).toBe(0);
      expect(await rules()).toEqual(TEAM_ITEM);
    });

    it('refuses authorizers too few for a rule that relies on them, saying how to fix it', async () => {
      const result = await runCli(['update', 'authorizers', '--none', ...who]);
      expect(result.code).toBe(2);
      expect(result.stderr).toBe(
        `sts: ${account}'s approval rule Admin=1 needs 1 approval from the secondary authorizers, but the new list names 0: lower the rule or clear it first (\`sts update approvals --local --issuer acme --account-name ${account} --clear Admin\`), or name more authorizers.\n`,
      );
      expect((await broker.rawItem('acme', account))?.secondary_authorization).toEqual({ L: [{ S: 'bob' }] });
    });

    it('refuses authorizers a rule relies on that are not enrolled', async () => {
      const result = await runCli(['update', 'authorizers', 'carol', ...who]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('carol is not enrolled in acme');
      expect((await broker.rawItem('acme', account))?.secondary_authorization).toEqual({ L: [{ S: 'bob' }] });
    });

    it('accepts new authorizers a rule can rely on', async () => {
      const result = await runCli(['update', 'authorizers', 'sec1', 'sec2', ...who]);
      expect(result.code, result.stderr).toBe(0);
      expect((await broker.rawItem('acme', account))?.secondary_authorization).toEqual({
        L: [{ S: 'sec1' }, { S: 'sec2' }],
      });
    });
  });

  describe('sts list', () => {
    let issuer: string;
    beforeEach(async () => {
      issuer = `team${n}`;
      const base = ['enroll', ...broker.localArgs, '--issuer', issuer, '--no-verify', '--json'];
      for (const [name, extra] of [
        ['bob', []],
        ['sec1', []],
        ['sec2', []],
        ['alice', ['--roles', ROLES, '--secondary-authorizers', 'bob', ...TEAM_RULES]],
        ['carl', ['--roles', 'Admin,Ops', '--secondary-authorizers', 'bob', '--approvals', 'Ops=0']],
        ['dora', ['--roles', 'Admin', '--secondary-authorizers', 'bob']],
        ['ci', ['--roles', 'Deploy']],
      ] as const) {
        const result = await runCli([...base, '--account-name', name, ...extra]);
        expect(result.code, result.stderr).toBe(0);
      }
    });

    it("shows each entry's rules, or what the 1.0 default means for it", async () => {
      const result = await runCli(['list', ...broker.localArgs, '--issuer', issuer]);
      expect(result.code, result.stderr).toBe(0);
      const lines = result.stdout.trimEnd().split('\n');
      expect(lines[0]).toMatch(/^ACCOUNT\s+ROLES\s+AUTHORIZERS\s+DEVICE\s+LOCKED UNTIL\s+APPROVALS$/);
      const approvals = Object.fromEntries(
        lines.slice(1).map((line) => {
          const [name, ...rest] = line.split(/\s{2,}/);
          return [name, rest.at(-1)];
        }),
      );
      expect(approvals).toEqual({
        alice: 'ReadOnly=0, Admin=1, BreakGlass=2:sec1,sec2',
        bob: '-',
        carl: 'Ops=0; other roles: 1 of the secondary authorizers',
        ci: 'none needed',
        dora: '1 of the secondary authorizers',
        sec1: '-',
        sec2: '-',
      });
    });

    it('includes approvalRules in --json', async () => {
      const result = await runCli(['list', ...broker.localArgs, '--issuer', issuer, '--json']);
      expect(result.code).toBe(0);
      const views = Object.fromEntries(
        JSON.parse(result.stdout).map((view: { accountName: string }) => [view.accountName, view]),
      );
      expect(views.alice.approvalRules).toEqual([
        { role: 'ReadOnly', approvals: 0 },
        { role: 'Admin', approvals: 1 },
        { role: 'BreakGlass', approvals: 2, approvers: ['sec1', 'sec2'] },
      ]);
      expect(views.dora.approvalRules).toEqual([]);
    });
  });
  describe('sts remove', () => {
    it('warns about a rule of another entry that counted on the removed approver', async () => {
      for (const name of ['gone1', 'gone2']) {
        const args = [
          'enroll',
          ...broker.localArgs,
          '--issuer',
          'acme',
          '--account-name',
          name,
          '--no-verify',
          '--json',
        ];
        expect((await runCli(args)).code).toBe(0);
      }
      expect(
        (
          await runCli(
            enrollArgs(['--approvals', 'BreakGlass=2:gone1,gone2,sec1', '--approvals', 'Admin=1:gone1,sec2']),
          )
        ).code,
      ).toBe(0);
      const first = await runCli([
        'remove',
        ...broker.localArgs,
        '--issuer',
        'acme',
        '--account-name',
        'gone1',
        '--yes',
      ]);
      expect(first.code, first.stderr).toBe(0);
      // Two of three remain for BreakGlass=2, one of two for Admin=1: nothing to say yet.
      expect(first.stderr).toBe('');
      const second = await runCli([
        'remove',
        ...broker.localArgs,
        '--issuer',
        'acme',
        '--account-name',
        'gone2',
        '--yes',
      ]);
      expect(second.code, second.stderr).toBe(0);
      expect(second.stderr).toBe(
        `warning: ${account}'s approval rule BreakGlass=2:gone1,gone2,sec1 counted on gone2: 1 of the 2 approvers it needs remain, so its requests are refused until \`sts update approvals\` names another or asks for fewer.\n`,
      );
    });
  });
});
