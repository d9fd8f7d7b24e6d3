/** Errors the administrator commands share, worded to say what to do next. */
import { ConflictError, NotFoundError } from '../../lambdas/core/errors.js';

/** The entry to change or remove does not exist. */
export function notEnrolled(issuer: string, accountName: string): NotFoundError {
  return new NotFoundError(`${accountName} is not enrolled in ${issuer}: check the names, or run \`sts enroll\`.`);
}

/** `sts enroll` without `--force` found an entry. */
export function alreadyEnrolled(issuer: string, accountName: string): ConflictError {
  return new ConflictError(
    `${accountName} is already enrolled in ${issuer}: use \`sts update\` to change it, or pass --force to replace it (and its device).`,
  );
}

/** "a, b" or "none". */
export function listText(items: readonly string[]): string {
  return items.length > 0 ? items.join(', ') : 'none';
}
