/** Option factories shared by the commands, so every command spells them the same way. */
import { Option } from 'clipanion';
import * as t from 'typanion';
import { validateReason } from '../lambdas/core/text.js';

/** A TOTP code: six digits (spaces as some apps display them are accepted). */
export const isTotpCode = t.cascade(t.isString(), [t.matchesRegExp(/^\s*(?:\d\s*){6}$/)]);

/** `--issuer` / `STS_ISSUER`. */
export const issuerOption = () =>
  Option.String('--issuer', { env: 'STS_ISSUER', description: 'Issuer (the TOTP issuer / team name; env STS_ISSUER)' });

/** `--account-name` / `STS_ACCOUNT_NAME`. */
export const accountNameOption = () =>
  Option.String('--account-name', {
    env: 'STS_ACCOUNT_NAME',
    description: 'Your account name in that issuer (env STS_ACCOUNT_NAME)',
  });

/** `--local` / `--no-local`; no default: not given, the profile decides (`sts configure --local`). */
export const localOption = () =>
  Option.Boolean('--local', {
    description: 'Use the embedded broker started by `sts server` in --data-dir (its server.json)',
  });

/** `--data-dir` / `STS_DATA_DIR`. */
export const dataDirOption = () =>
  Option.String('--data-dir', {
    env: 'STS_DATA_DIR',
    description: 'Data dir of the embedded broker (env STS_DATA_DIR; default ./.stsftw)',
  });

/** `--profile` / `STS_PROFILE`. */
export const profileOption = () =>
  Option.String('--profile', {
    env: 'STS_PROFILE',
    description: 'Config-file profile to read defaults from (env STS_PROFILE; default "default")',
  });

/** `--json`. */
export const jsonOption = () => Option.Boolean('--json', false, { description: 'Machine-readable JSON output' });

/** `--endpoint` / `STS_ENDPOINT`: the broker the command talks to (the administrator commands ignore it). */
export const endpointOption = () =>
  Option.String('--endpoint', {
    env: 'STS_ENDPOINT',
    description: 'Broker URL, e.g. https://sts.example.com (env STS_ENDPOINT)',
  });

/** `--role` / `STS_ROLE`. */
export const roleOption = () =>
  Option.String('--role', { env: 'STS_ROLE', description: 'Role name or ARN to assume (env STS_ROLE)' });

/** `--secondary-authorizer` / `STS_SECONDARY_ACCOUNT_NAME`. */
export const secondaryAuthorizerOption = () =>
  Option.String('--secondary-authorizer', {
    env: 'STS_SECONDARY_ACCOUNT_NAME',
    description: 'The approver to ask, one of your listed approvers (env STS_SECONDARY_ACCOUNT_NAME)',
  });

/** `--totp-code`: else a hidden prompt. */
export const totpCodeOption = () =>
  Option.String('--totp-code', {
    validator: isTotpCode,
    description: 'Your current TOTP code (prefer the prompt: flags end up in shell history)',
  });

/** `--secondary-totp-code`: single shot, the approver's code typed on this machine. */
export const secondaryTotpCodeOption = () =>
  Option.String('--secondary-totp-code', {
    validator: isTotpCode,
    description: "The approver's current TOTP code (single shot, as in STSFTW 1.0)",
  });

/** `--duration` in seconds (STS allows 900–3600 for a chained role). */
export const durationOption = () =>
  Option.String('--duration', {
    validator: t.cascade(t.isNumber(), [t.isInteger(), t.isInInclusiveRange(900, 3600)]),
    description: 'Session length in seconds, 900–3600 (default: the broker’s)',
  });

/** A reason core will accept (core/text.ts: the one limit), checked before anyone is asked for a code. */
const isReason = t.cascade(t.isString(), [
  t.makeValidator<string>({
    test: (value, state) => {
      try {
        validateReason(value, '--reason');
        return true;
      } catch (e) {
        state?.errors?.push(`${state.p ?? '.'}: ${(e as Error).message}`);
        return false;
      }
    },
  }),
]);

/** `--reason`: shown to the approver and in the audit. */
export const reasonOption = () =>
  Option.String('--reason', {
    validator: isReason,
    description: 'Why you need the role (shown to the approver and audited)',
  });

/** `--reason` of `sts deny`: told to the requester and audited. */
export const denialReasonOption = () =>
  Option.String('--reason', {
    validator: isReason,
    description: 'Why you deny it (shown to the requester and audited)',
  });

/** `--no-cache` of `get` / `exec`: new credentials, and none kept. */
export const noCacheOption = () =>
  Option.Boolean('--no-cache', false, {
    description: 'Mint new credentials even if cached ones are still valid, and keep none in the cache',
  });

/** `--table-name` of the administrator commands (`STS_TABLE_NAME` is read where the setting is required). */
export const tableNameOption = () =>
  Option.String('--table-name', {
    description: 'Auth table (env STS_TABLE_NAME; with --local, read from server.json)',
  });

/** `--kms-key-id` / `STS_KMS_KEY_ID` of the administrator commands. */
export const kmsKeyIdOption = () =>
  Option.String('--kms-key-id', {
    env: 'STS_KMS_KEY_ID',
    description: 'KMS key that encrypts TOTP secrets on AWS: id, ARN or alias (env STS_KMS_KEY_ID)',
  });

/** `--region` / `AWS_REGION` of the administrator commands. */
export const awsRegionOption = () =>
  Option.String('--region', {
    env: 'AWS_REGION',
    description: 'AWS region (env AWS_REGION; default: the SDK configuration)',
    validator: t.cascade(t.isString(), t.matchesRegExp(/^[a-z0-9-]{1,32}$/)),
  });
