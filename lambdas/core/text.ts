/** Free-text fields (reasons) stored on requests and shown to other people. */
import { InvalidRequestError } from './errors.js';

/** Longest reason, in characters (code points). */
export const MAX_REASON_LENGTH = 512;

// Control, format, private-use and unassigned characters: nothing that can reorder or hide text on a terminal.
const UNPRINTABLE = /\p{C}/u;

/**
 * Checks an optional reason: at most 512 printable characters. Empty or blank means none.
 * @returns the trimmed reason, or undefined.
 * @throws InvalidRequestError naming `field`.
 */
export function validateReason(reason: unknown, field = 'reason'): string | undefined {
  if (reason === undefined || reason === null) return undefined;
  if (typeof reason !== 'string') throw new InvalidRequestError(`${field} must be a string.`);
  const trimmed = reason.trim();
  if (trimmed === '') return undefined;
  if ([...trimmed].length > MAX_REASON_LENGTH || UNPRINTABLE.test(trimmed)) {
    throw new InvalidRequestError(`${field} must be at most ${MAX_REASON_LENGTH} printable characters.`);
  }
  return trimmed;
}
