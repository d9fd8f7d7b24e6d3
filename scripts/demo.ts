/**
 * `npm run demo`: the multi-party flow on one machine, narrated. An embedded broker in this process; the
 * requester (alice) and the approver (bob) are separate `sts` processes with HOMEs of their own, as if on
 * two laptops. This script plays their authenticator apps (it enrolls both with `--no-verify --json`, so
 * it knows their TOTP secrets); the credentials are the embedded broker's local ones, not valid on AWS.
 */
import '../lambdas/adapters/local/polyfill.js';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as OTPAuth from 'otpauth';
import { startEmbedded } from '../lambdas/adapters/local/embedded.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const stsBin = join(root, 'bin', 'sts.cjs');
const ISSUER = 'demo';
const ROLE = 'Admin';

const color = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code: number, text: string) => (color ? `\x1b[${code}m${text}\x1b[0m` : text);
const who = {
  demo: paint(1, '[demo] '),
  alice: paint(36, '[alice]'),
  bob: paint(35, '[bob]  '),
  audit: paint(33, '[audit]'),
};
const say = (prefix: string, text: string) => {
  for (const line of text.replace(/\n$/, '').split('\n')) process.stdout.write(`${prefix} ${line}\n`);
};

/** Runs `sts` as a separate person; streams its stderr with a prefix, collects stdout. */
function sts(home: string, prefix: string, args: string[]) {
  const child: ChildProcess = spawn(process.execPath, [stsBin, ...args], {
    env: {
      PATH: process.env.PATH,
      HOME: home,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      NO_COLOR: '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  const stderrListeners: ((text: string) => void)[] = [];
  child.stdout?.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    const text = String(chunk);
    say(prefix, text);
    for (const listener of stderrListeners) listener(text);
  });
  const done = new Promise<{ code: number; stdout: string }>((resolve) =>
    child.on('close', (code) => resolve({ code: code ?? 1, stdout })),
  );
  return { done, onStderr: (listener: (text: string) => void) => stderrListeners.push(listener) };
}

async function main(): Promise<number> {
  say(who.demo, 'Building the sts bundle…');
  await new Promise<void>((resolve, reject) =>
    spawn(process.execPath, [join(root, 'scripts', 'build.mjs')], { stdio: 'ignore' }).on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`build failed (${code})`)),
    ),
  );
  const base = mkdtempSync(join(tmpdir(), 'stsftw-demo-'));
  const dataDir = join(base, 'broker');
  const homes = { admin: join(base, 'admin'), alice: join(base, 'alice'), bob: join(base, 'bob') };
  for (const home of Object.values(homes)) mkdirSync(home);
  const broker = await startEmbedded({
    dataDir,
    port: 0,
    approvalTimeoutSeconds: 300,
    minter: 'local',
    log: () => {},
    print: (line) => say(who.audit, line),
  });
  const local = ['--local', '--data-dir', dataDir];
  try {
    say(who.demo, `Embedded broker on ${broker.info.endpoint} (data in ${dataDir}).`);

    say(who.demo, 'An administrator enrolls bob, then alice (may assume Admin, approved by bob).');
    const authenticators: Record<string, OTPAuth.TOTP> = {};
    for (const [account, extra] of [
      ['bob', []],
      ['alice', ['--roles', ROLE, '--secondary-authorizers', 'bob']],
    ] as const) {
      const enroll = sts(homes.admin, who.demo, [
        'enroll',
        ...local,
        '--issuer',
        ISSUER,
        '--account-name',
        account,
        ...extra,
        '--no-verify',
        '--json',
      ]);
      const { code, stdout } = await enroll.done;
      if (code !== 0) throw new Error(`sts enroll ${account} failed (exit ${code})`);
      authenticators[account] = OTPAuth.URI.parse(JSON.parse(stdout).otpauthUrl) as OTPAuth.TOTP;
    }

    const aliceCode = authenticators.alice.generate();
    say(who.demo, `alice asks for ${ROLE}, typing the code her authenticator shows (${aliceCode}).`);
    const request = sts(homes.alice, who.alice, [
      'request',
      ...local,
      '--issuer',
      ISSUER,
      '--account-name',
      'alice',
      '--role',
      ROLE,
      '--reason',
      'demo: deploy a hotfix',
      '--totp-code',
      aliceCode,
    ]);
    const id = await new Promise<string>((resolve) => {
      let seen = '';
      request.onStderr((text) => {
        seen += text;
        const match = /Request (r_[0-9a-z]{26})/.exec(seen);
        if (match) resolve(match[1]);
      });
    });

    const bobCode = authenticators.bob.generate();
    say(who.demo, `alice sends bob the request id; bob approves from his machine with his own code (${bobCode}).`);
    const approve = sts(homes.bob, who.bob, [
      'approve',
      id,
      ...local,
      '--account-name',
      'bob',
      '--yes',
      '--totp-code',
      bobCode,
    ]);
    const approved = await approve.done;
    if (approved.code !== 0) throw new Error(`sts approve failed (exit ${approved.code})`);
    say(who.bob, approved.stdout);

    const result = await request.done;
    if (result.code !== 0) throw new Error(`sts request failed (exit ${result.code})`);
    const masked = result.stdout.replace(/(SECRET_ACCESS_KEY|SESSION_TOKEN)=(.{6}).*/g, '$1=$2…');
    say(who.alice, `stdout (secrets shortened here):\n${masked}`);

    const status = sts(homes.bob, who.bob, ['status', id, ...local]);
    say(who.bob, (await status.done).stdout);

    say(who.demo, `Audit log: ${broker.info.auditLog}`);
    const events = readFileSync(broker.info.auditLog, 'utf8').trim().split('\n').filter(Boolean);
    say(who.demo, `${events.length} audit event(s), the last: ${JSON.parse(events[events.length - 1]).type}`);
    say(who.demo, 'Done: try it yourself with `sts server` (it prints the next steps).');
    return 0;
  } finally {
    await broker.close();
    rmSync(base, { recursive: true, force: true });
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    say(who.demo, `Demo failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
