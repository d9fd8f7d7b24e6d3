/** Which role a request may assume, and the AssumeRole parameters derived from it (DESIGN.md §6). */
import { createHash } from 'node:crypto';
import { InvalidRequestError, RoleNotPermittedError } from './errors.js';

/** Where bare role names live and which ARNs the broker may assume at all. */
export interface RoleConfig {
  partition: string;
  /** Account of bare role names; without it only full ARNs can be resolved. */
  roleAccountId?: string;
  /**
   * Globs (`*` = any characters), comma-separated, of which every resolved ARN must match one, e.g.
   * `arn:aws:iam::123456789012:role/stsftw/*`. A bare role name is also looked for under the path of
   * each pattern, so `Admin` can mean `role/stsftw/Admin` where only that path is allowed.
   */
  allowedRolePattern?: string;
}

/** Shortest session STS allows. */
export const MIN_SESSION_SECONDS = 900;
/** Default and ceiling: role chaining caps sessions at one hour. */
export const DEFAULT_SESSION_SECONDS = 3600;

const ARN_PATTERN = /^arn:([a-z-]+):iam::(\d{12}):role\/(.+)$/;
const SAFE_CHARS = /[^\w+=,.@-]/g;
const TAG_UNSAFE_CHARS = /[^\p{L}\p{Z}\p{N}_.:/=+\-@]/gu;

interface ParsedRole {
  arn?: string; // undefined: a bare name and no account to put it in
  name: string; // the role name (last path segment)
}

function allowedPatterns(cfg: RoleConfig): string[] {
  return (cfg.allowedRolePattern ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
}

/** Where a bare name may live: the account root, then the path of each allowed `…:role/<path>/*` pattern. */
function bareRoleArns(name: string, cfg: RoleConfig): string[] {
  if (!cfg.roleAccountId) return [];
  const base = `arn:${cfg.partition}:iam::${cfg.roleAccountId}:role/`;
  const arns = [`${base}${name}`];
  for (const pattern of allowedPatterns(cfg)) {
    const match = ARN_PATTERN.exec(pattern);
    const path = match?.[3];
    if (!path?.endsWith('/*') || path.slice(0, -1).includes('*')) continue;
    arns.push(`${base}${path.slice(0, -1)}${name}`);
  }
  return arns;
}

function parseRole(role: string, cfg: RoleConfig): ParsedRole {
  const match = ARN_PATTERN.exec(role);
  if (match) return { arn: role, name: match[3].slice(match[3].lastIndexOf('/') + 1) };
  const arns = bareRoleArns(role, cfg);
  return { arn: arns.find((arn) => isAllowed(arn, cfg)) ?? arns[0], name: role };
}

function isAllowed(arn: string, cfg: RoleConfig): boolean {
  const patterns = allowedPatterns(cfg);
  return patterns.length === 0 || patterns.some((pattern) => globMatches(pattern, arn));
}

/** True when `value` matches `glob` whole, `*` standing for any characters (IAM's resource wildcard). */
export function globMatches(glob: string, value: string): boolean {
  const escaped = glob.split('*').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${escaped.join('.*')}$`).test(value);
}

/**
 * The entry's roles (as the entry spells them) that the role a request names stands for: the same name,
 * the same ARN, or an ARN whose role name is the bare name requested. Approval rules are keyed by these.
 */
export function matchingEntryRoles(requested: string, entryRoles: readonly string[], cfg: RoleConfig): string[] {
  const requestedIsArn = ARN_PATTERN.test(requested);
  return entryRoles.filter((role) => {
    const listed = parseRole(role, cfg);
    return requestedIsArn
      ? listed.arn === requested
      : role === requested || (ARN_PATTERN.test(role) && listed.name === requested);
  });
}

/**
 * Resolves the role a request names against the entry's roles. A request may name a role by its name
 * or by its full ARN; a bare entry role lives in `cfg.roleAccountId`.
 * @returns the role ARN to assume.
 * @throws RoleNotPermittedError when the entry does not list it, when it is ambiguous, when a bare name
 *   cannot be placed in an account, or when the ARN falls outside `cfg.allowedRolePattern`.
 */
export function resolveRoleArn(requested: string, entryRoles: readonly string[], cfg: RoleConfig): string {
  const candidates = new Set<string>();
  let bareWithoutAccount = false;
  for (const role of matchingEntryRoles(requested, entryRoles, cfg)) {
    const listed = parseRole(role, cfg);
    if (listed.arn) candidates.add(listed.arn);
    else bareWithoutAccount = true;
  }
  if (candidates.size === 0) {
    if (bareWithoutAccount) {
      throw new RoleNotPermittedError(
        `Role "${requested}" is a bare role name and the broker has no role account configured (STS_ROLE_ACCOUNT_ID); enroll the role as a full ARN.`,
      );
    }
    throw new RoleNotPermittedError(`This account may not assume the role "${requested}".`);
  }
  if (candidates.size > 1) {
    throw new RoleNotPermittedError(
      `Role "${requested}" matches several roles of this account; name it by its full ARN: ${[...candidates].join(', ')}.`,
    );
  }
  const arn = [...candidates][0];
  if (!isAllowed(arn, cfg)) {
    throw new RoleNotPermittedError(`The broker may not assume ${arn} (outside its allowed role pattern).`);
  }
  return arn;
}

/** 8 hex characters of a SHA-256 of `value`: keeps distinct inputs distinct after sanitising. */
function shortHash(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex').slice(0, 8);
}

/**
 * Makes `value` fit `[\w+=,.@-]{2,64}` (RoleSessionName, SourceIdentity): other characters (spaces, letters
 * beyond ASCII) become `-`, short values are padded with `_`. When a character had to be replaced, or the
 * value is too long, it keeps at most 55 characters plus `-` and 8 hex of a SHA-256 of the original, so
 * `Some Account` and `Some-Account` stay distinct and the same input always gives the same name.
 */
export function sanitizeStsName(value: string): string {
  const safe = value.replace(SAFE_CHARS, '-');
  if (safe !== value || safe.length > 64) return `${safe.slice(0, 55)}-${shortHash(value)}`;
  return safe.padEnd(2, '_');
}

/**
 * Makes `value` a valid session tag value (AWS: up to 256 of Unicode letters, digits, spaces and
 * `_ . : / = + - @`; a comma, for one, is refused): other characters become `-`, with the same hash suffix
 * as {@link sanitizeStsName} when anything was replaced.
 */
export function sanitizeTagValue(value: string): string {
  const safe = value.replace(TAG_UNSAFE_CHARS, '-');
  if (safe !== value || safe.length > 256) return `${safe.slice(0, 247)}-${shortHash(value)}`;
  return safe;
}

/** RoleSessionName for AssumeRole: `account@issuer`, sanitised to `[\w+=,.@-]{2,64}`. */
export function roleSessionName(accountName: string, issuer: string): string {
  return sanitizeStsName(`${accountName}@${issuer}`);
}

/** SourceIdentity for AssumeRole: the account name, sanitised the same way (STS wants 2–64 characters). */
export function sourceIdentity(accountName: string): string {
  return sanitizeStsName(accountName);
}

/** Longest session tag value STS accepts. */
export const MAX_TAG_VALUE_LENGTH = 256;

/**
 * `stsftw:approvers`: every approver, sanitised, joined with `:` (which no account name may hold). When they
 * do not fit STS's 256 characters, each is cut to an equal share with the hash suffix of
 * {@link sanitizeTagValue}, so distinct approvers stay distinct. `none` when there were none.
 */
export function approversTagValue(approvers: readonly string[]): string {
  if (approvers.length === 0) return 'none';
  const safe = approvers.map(sanitizeTagValue);
  const joined = safe.join(':');
  if (joined.length <= MAX_TAG_VALUE_LENGTH) return joined;
  const share = Math.floor((MAX_TAG_VALUE_LENGTH - (approvers.length - 1)) / approvers.length);
  return approvers
    .map((name, index) =>
      safe[index].length <= share ? safe[index] : `${safe[index].slice(0, share - 9)}-${shortHash(name)}`,
    )
    .join(':');
}

/**
 * Session tags naming the approvers and the request: `stsftw:approver` the one that completed the quorum
 * (`none` when the role needed no approval; what 1.0-era policies read), `stsftw:approvers` all of them.
 */
export function sessionTags(input: {
  approvers: readonly string[];
  requestId: string;
}): { Key: string; Value: string }[] {
  const last = input.approvers.at(-1);
  return [
    { Key: 'stsftw:approver', Value: last ? sanitizeTagValue(last) : 'none' },
    { Key: 'stsftw:approvers', Value: approversTagValue(input.approvers) },
    { Key: 'stsftw:request-id', Value: input.requestId },
  ];
}

/**
 * The session length to ask STS for: `requested`, or by default min(3600, max).
 * @throws InvalidRequestError when `requested` is not an integer in 900..max.
 */
export function clampDuration(requested: number | undefined, max: number): number {
  if (requested === undefined) return Math.min(DEFAULT_SESSION_SECONDS, max);
  if (!Number.isInteger(requested) || requested < MIN_SESSION_SECONDS || requested > max) {
    throw new InvalidRequestError(`durationSeconds must be a whole number from ${MIN_SESSION_SECONDS} to ${max}.`);
  }
  return requested;
}
