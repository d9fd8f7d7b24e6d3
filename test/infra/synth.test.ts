/**
 * The real thing, once: `npx cdk synth` through cdk.json with local esbuild bundling (no Docker), offline.
 * Slow-ish (one synth with three bundles), so everything about the output is checked from that one run.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../..');

/** An environment without AWS credentials or lookups: synthesis must not need them. */
function offlineEnv(dir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CDK_DISABLE_CLI_TELEMETRY: 'true',
    CDK_DISABLE_VERSION_CHECK: '1',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: join(dir, 'no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-aws-credentials'),
  };
  for (const name of ['AWS_PROFILE', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'])
    delete env[name];
  return env;
}

async function cdk(args: string[], dir: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('npx', ['cdk', ...args], {
      cwd: root,
      env: offlineEnv(dir),
      maxBuffer: 1 << 24,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe('npx cdk synth (cdk.json, bundling on)', () => {
  let dir: string;
  let out: string;
  let result: { code: number; stdout: string; stderr: string };
  let template: {
    Resources: Record<string, { Type: string; Properties: Record<string, any>; Metadata?: Record<string, string> }>;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'stsftw-synth-'));
    out = join(dir, 'cdk.out');
    const configFile = join(dir, 'stsftw.config.json');
    writeFileSync(configFile, JSON.stringify({ appName: 'stsftw-ci', region: 'eu-west-1', account: '123456789012' }));
    result = await cdk(['synth', '--no-notices', '--quiet', '-o', out, '-c', `configFile=${configFile}`], dir);
    if (result.code === 0) template = JSON.parse(readFileSync(join(out, 'stsftw-ci.template.json'), 'utf8'));
  }, 180_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('succeeds', () => {
    expect(result.stderr).not.toMatch(/AwsSolutions-/);
    expect(result.code).toBe(0);
  });

  it('bundles each function into a minified ESM file with a require shim, kept names and a source map', () => {
    const functions = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Lambda::Function');
    expect(functions).toHaveLength(3);
    for (const fn of functions) {
      const asset = join(out, fn.Metadata!['aws:asset:path']);
      expect(readdirSync(asset).sort()).toEqual(['index.mjs', 'index.mjs.map']);
      const code = readFileSync(join(asset, 'index.mjs'), 'utf8');
      expect(code.startsWith("import { createRequire as __stsftwCreateRequire } from 'node:module';")).toBe(true);
      expect(code).toMatch(/"name",\{value:/); // esbuild's keepNames helper
      expect(code.length / code.split('\n').length).toBeGreaterThan(2000); // minified: long lines
      expect(code).toMatch(/\/\/# sourceMappingURL=index\.mjs\.map\s*$/);
    }
  });

  it('produces bundles that load on Node.js with the variables the stack sets', async () => {
    const functions = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Lambda::Function');
    const urls = functions.map((fn) => pathToFileURL(join(out, fn.Metadata!['aws:asset:path'], 'index.mjs')).href);
    const script = `for (const u of ${JSON.stringify(urls)}) { const m = await import(u); if (typeof m.handler !== 'function') throw new Error(u); } console.log('loaded', ${urls.length});`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
      cwd: dir,
      env: {
        ...offlineEnv(dir),
        AWS_REGION: 'eu-west-1',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        STS_TABLE_NAME: 'stsftw-ci-auth',
        STS_REQUESTS_TABLE_NAME: 'stsftw-ci-requests',
        STS_AUDIT_TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:audit',
        STS_KMS_KEY_ID: '1234abcd-12ab-34cd-56ef-1234567890ab',
        STS_STATE_MACHINE_ARN: 'arn:aws:states:eu-west-1:123456789012:stateMachine:approval',
      },
    });
    expect(stdout.trim()).toBe('loaded 3');
  });

  it('reports no policy-validation findings', () => {
    const report = JSON.parse(readFileSync(join(out, 'validation-report.json'), 'utf8'));
    expect(report.pluginReports.flatMap((r: { violations?: unknown[] }) => r.violations ?? [])).toEqual([]);
  });

  it('stops before building anything when the configuration is invalid, naming the key', async () => {
    const failed = await cdk(
      ['synth', '--no-notices', '-o', join(dir, 'bad.out'), '-c', 'maxSessionSeconds=7200'],
      dir,
    );
    expect(failed.code).not.toBe(0);
    expect(failed.stderr).toContain(
      'Invalid stsftw configuration: Configuration key "maxSessionSeconds" must be a whole number from 900 to 3600 (role chaining caps sessions at one hour); got "7200".',
    );
    expect(existsSync(join(dir, 'bad.out', 'stsftw.template.json'))).toBe(false);
  }, 60_000);
});
