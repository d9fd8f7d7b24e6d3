/**
 * The Lambda bundles as `cdk deploy` ships them: NodejsFunction really bundles the three functions here
 * (local esbuild), and what it writes must be what `lambdaBuildOptions` (the benchmark's build) writes.
 * Each bundle holds only the SDK clients and the code of its own function's task, and still signs its
 * calls with the environment's credentials (the only ones Lambda has).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { build, type Metafile } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DUMMY_LAMBDA_ENV } from '../../bench/lambda-bundle.js';
import { addBrokerStack } from '../../infra/broker-app.js';
import { type LambdaName, lambdaBuildOptions } from '../../infra/bundling.js';
import { parseConfig } from '../../infra/config.js';
import { mapStack } from '../../scripts/map-stack.js';
import { cdkJsonContext } from './harness.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const names: LambdaName[] = ['api', 'verify', 'mint'];
const work = mkdtempSync(join(tmpdir(), 'stsftw-bundles-'));

/** Our build of each function, with the inputs esbuild put into it. */
const ours = {} as Record<LambdaName, { file: string; inputs: string[] }>;
/** The `index.mjs` NodejsFunction bundled for each function. */
const shipped = {} as Record<LambdaName, string>;

/** The npm packages (`@scope/name`) a bundle holds code of. */
function packages(inputs: string[]): string[] {
  const found = inputs.map((p) => p.match(/node_modules\/((?:@[^/]+\/)?[^/]+)\//)?.[1]).filter((p) => p !== undefined);
  return [...new Set(found)].sort();
}

beforeAll(async () => {
  for (const name of names) {
    const file = join(work, 'esbuild', name, 'index.mjs');
    const result = await build({ ...lambdaBuildOptions(repoRoot, name, file), metafile: true });
    const output = Object.values((result.metafile as Metafile).outputs).find((o) => o.entryPoint);
    // Only inputs that contributed code (a module tree-shaken away is listed with 0 bytes).
    const inputs = Object.entries(output?.inputs ?? {})
      .filter(([, input]) => input.bytesInOutput > 0)
      .map(([path]) => path);
    ours[name] = { file, inputs };
  }
  // As `cdk synth` does it: the context of cdk.json, bundling every stack.
  const outdir = join(work, 'cdk.out');
  const app = new App({ outdir, context: cdkJsonContext() });
  const stack = addBrokerStack(app, parseConfig({}));
  const template = Template.fromStack(stack).toJSON();
  for (const name of names) {
    const fn = template.Resources[stack.resolve(stack.getLogicalId(stack.functions[name].node.defaultChild as never))];
    const hash = String(fn.Properties.Code.S3Key).replace(/\.zip$/, '');
    shipped[name] = join(outdir, `asset.${hash}`, 'index.mjs');
  }
}, 300_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('Lambda bundles', () => {
  it.each(names)('NodejsFunction ships the %s bundle the benchmark builds, byte for byte', (name) => {
    expect(readFileSync(shipped[name]).equals(readFileSync(ours[name].file))).toBe(true);
  });

  it.each([
    ['api', ['client-dynamodb', 'client-kms', 'client-sfn', 'client-sns']],
    ['verify', ['client-dynamodb', 'client-kms', 'client-sns']],
    ['mint', ['client-dynamodb', 'client-sts']],
  ] as const)('%s bundles exactly the SDK clients it calls', (name, clients) => {
    const sdk = packages(ours[name].inputs).filter((p) => p.startsWith('@aws-sdk/client-'));
    expect(sdk).toEqual(clients.map((c) => `@aws-sdk/${c}`));
  });

  it.each(names)('%s leaves out the default credential chain and the SSO, STS and sign-in clients it loads', (name) => {
    const held = packages(ours[name].inputs);
    expect(
      held.filter((p) => /^@aws-sdk\/(credential-provider-(?!env)|nested-clients|token-providers)/.test(p)),
    ).toEqual([]);
    expect(held).not.toContain('@smithy/credential-provider-imds');
    expect(ours[name].inputs.filter((p) => p.includes('@smithy/core/dist-es/submodules/event-streams/'))).toEqual([]);
    expect(held).toContain('@aws-sdk/credential-provider-env');
  });

  it.each(names)('%s leaves out DynamoDB endpoint discovery and its cache', (name) => {
    const held = packages(ours[name].inputs);
    for (const pkg of [
      '@aws-sdk/middleware-endpoint-discovery',
      '@aws-sdk/endpoint-cache',
      'mnemonist',
      'obliterator',
    ]) {
      expect(held).not.toContain(pkg);
    }
  });

  it.each([
    ['api', ['lambdas/core/tasks/verify.ts', 'lambdas/core/tasks/mint.ts']],
    [
      'verify',
      ['lambdas/core/broker.ts', 'lambdas/core/tasks/mint.ts', 'lambdas/api/app.ts', 'lambdas/core/sealing.ts'],
    ],
    ['mint', ['lambdas/core/broker.ts', 'lambdas/core/tasks/verify.ts', 'lambdas/core/totp.ts', 'lambdas/api/app.ts']],
  ] as const)('%s holds none of the other functions’ tasks', (name, others) => {
    for (const other of others) expect(ours[name].inputs).not.toContain(other);
  });

  it.each([
    ['verify', ['hono', '@hpke/core']],
    ['mint', ['hono', 'otpauth']],
  ] as const)('%s holds no library only other functions use', (name, libraries) => {
    for (const library of libraries) expect(packages(ours[name].inputs)).not.toContain(library);
  });
});

describe('a built bundle at run time', () => {
  let server: Server;
  const seen: { target: string | undefined; headers: IncomingHttpHeaders }[] = [];

  beforeAll(async () => {
    // Every AWS endpoint of the child points here: a DynamoDB that holds no item.
    server = createServer((req, res) => {
      seen.push({ target: req.headers['x-amz-target'] as string | undefined, headers: req.headers });
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': 'bundle-test' });
        res.end('{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  /** Imports `name`'s bundle in a fresh Node process with Lambda-like variables and hands it `event`. */
  let stderr = '';
  async function invoke(
    name: LambdaName,
    event: unknown,
    nodeArgs: string[] = [],
    extraEnv: Record<string, string> = {},
  ): Promise<unknown> {
    const { port } = server.address() as AddressInfo;
    const url = pathToFileURL(ours[name].file).href;
    const script = `const { handler } = await import(${JSON.stringify(url)});
const context = { getRemainingTimeInMillis: () => 20000 };
let out;
try { out = { result: await handler(${JSON.stringify(event)}, context) }; } catch (e) { out = { error: e.name, message: e.message, stack: e.stack }; }
process.stdout.write('\\nRESULT ' + JSON.stringify(out));`;
    const env = {
      ...DUMMY_LAMBDA_ENV,
      PATH: process.env.PATH,
      HOME: work,
      AWS_CONFIG_FILE: join(work, 'no-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(work, 'no-credentials'),
      AWS_ACCESS_KEY_ID: 'AKIDBUNDLETEST',
      AWS_SECRET_ACCESS_KEY: 'bundle-test-secret',
      AWS_SESSION_TOKEN: 'bundle-test-session-token',
      AWS_ENDPOINT_URL: `http://127.0.0.1:${port}`,
      ...extraEnv,
    };
    const { stdout, stderr: errors } = await promisify(execFile)(
      process.execPath,
      [...nodeArgs, '--input-type=module', '-e', script],
      {
        env,
      },
    );
    stderr = errors;
    // The function's own log lines come first.
    return JSON.parse(stdout.slice(stdout.lastIndexOf('\nRESULT ') + '\nRESULT '.length));
  }

  const apiRead = (id: string) => ({
    version: '2.0',
    routeKey: '$default',
    rawPath: `/v1/requests/${id}`,
    rawQueryString: '',
    headers: { host: 'sts.example.com' },
    requestContext: {
      http: { method: 'GET', path: `/v1/requests/${id}`, protocol: 'HTTP/1.1', sourceIp: '192.0.2.1' },
      domainName: 'sts.example.com',
      stage: '$default',
    },
    isBase64Encoded: false,
  });

  it('the minified SDK still tells its silent logger apart by class name, and warns on the console', async () => {
    // Without the name `sdk-class-names.ts` restores, this warning would go to the silent logger.
    await invoke('api', apiRead(`r_${'1'.repeat(26)}`), [], { AWS_SDK_UA_APP_ID: 'a'.repeat(51) });
    expect(stderr).toContain('The provided userAgentAppId exceeds the maximum length of 50 characters.');
  });

  it('the API signs its DynamoDB read with the environment credentials, and calls nothing else', async () => {
    seen.length = 0;
    const id = `r_${'0'.repeat(26)}`;
    const out = (await invoke('api', apiRead(id))) as { result: { statusCode: number; body: string } };
    expect(out.result.statusCode).toBe(404);
    expect(JSON.parse(out.result.body).code).toBe('not_found');
    expect(seen.map((s) => s.target)).toEqual(['DynamoDB_20120810.GetItem']);
    expect(seen[0].headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDBUNDLETEST\/\d{8}\/us-east-1\/dynamodb\/aws4_request, SignedHeaders=\S+, Signature=[0-9a-f]{64}$/,
    );
    expect(seen[0].headers['x-amz-security-token']).toBe('bundle-test-session-token');
  });

  it.each([
    ['verify', 'mint', 'This function does not run that action.'],
    ['mint', 'verifyRequester', 'This function only mints.'],
  ] as const)(
    '%s loads and refuses another function’s action (%s) without any AWS call',
    async (name, action, message) => {
      seen.length = 0;
      expect(await invoke(name, { action })).toMatchObject({ error: 'InvalidRequestError', message });
      expect(seen).toEqual([]);
    },
  );

  it('a stack trace from the log maps back to the sources offline as --enable-source-maps would', async () => {
    const plain = (await invoke('mint', { action: 'verifyRequester' })) as { stack: string };
    const mapped = (await invoke('mint', { action: 'verifyRequester' }, ['--enable-source-maps'])) as { stack: string };
    const frame = (stack: string) => stack.split('\n')[1];
    // Without the flag the position is the bundle's (and the names minified: no `keepNames`).
    expect(frame(plain.stack)).toMatch(/index\.mjs:\d+:\d+\)?$/);
    const payload = JSON.parse(readFileSync(`${ours.mint.file}.map`, 'utf8'));
    const offline = frame(mapStack(plain.stack, payload));
    const position = /lambdas\/handlers\/task-router\.ts:\d+:\d+/;
    expect(offline).toMatch(position);
    expect(frame(mapped.stack).match(position)?.[0]).toBe(offline.match(position)?.[0]);
  });
});
