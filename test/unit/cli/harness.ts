/** Runs `sts` in process through `cli.run(argv, context)` with in-memory streams and a temporary HOME. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { buildCli } from '../../../cli/cli.js';
import type { StsContext } from '../../../cli/context.js';
import type { Terminal } from '../../../cli/terminal.js';
import { type FakeBroker, type FakeBrokerOptions, startFakeBroker } from './fake-broker.js';

/** A scripted terminal: answers prompts in order and records the questions. */
export function fakeTerminal(answers: string[] = [], interactive = true) {
  const questions: { question: string; hidden: boolean }[] = [];
  const said: string[] = [];
  const terminal: Terminal = {
    interactive,
    async prompt(question, options) {
      questions.push({ question, hidden: options?.hidden === true });
      const answer = answers.shift();
      if (answer === undefined) throw new Error(`unexpected prompt: ${question}`);
      return answer;
    },
    say(text) {
      said.push(text);
    },
  };
  return { terminal, questions, said };
}

/** A temporary HOME (config, state, cache and ~/.aws all go under it). */
export function tempHome(): { home: string; cleanup(): void } {
  const home = mkdtempSync(join(tmpdir(), 'sts-cli-'));
  return { home, cleanup: () => rmSync(home, { recursive: true, force: true }) };
}

/**
 * A temporary HOME and a fake broker started with `options`, and the environment of alice, a requester of
 * acme asking for admin, pointed at it. The caller closes the broker and cleans up the HOME.
 */
export async function requesterSetup(options: FakeBrokerOptions): Promise<{
  home: ReturnType<typeof tempHome>;
  broker: FakeBroker;
  env: Record<string, string>;
}> {
  const home = tempHome();
  const broker = await startFakeBroker(options);
  const env = {
    HOME: home.home,
    STS_ENDPOINT: broker.url,
    STS_ISSUER: 'acme',
    STS_ACCOUNT_NAME: 'alice',
    STS_ROLE: 'admin',
  };
  return { home, broker, env };
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs argv; `env` is the whole environment the CLI sees. */
export async function runSts(
  argv: string[],
  env: Record<string, string | undefined>,
  extra: Partial<StsContext> = {},
): Promise<RunResult> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk) => {
    out += chunk;
  });
  stderr.on('data', (chunk) => {
    err += chunk;
  });
  const context: StsContext = {
    stdin: new PassThrough(),
    stdout,
    stderr,
    env,
    colorDepth: 1,
    terminal: fakeTerminal([], false).terminal,
    sleep: async () => {},
    ...extra,
  };
  const code = await buildCli().run(argv, context);
  await new Promise((resolve) => setImmediate(resolve));
  return { code, stdout: out, stderr: err };
}
