/**
 * Recognising AWS SDK exceptions by name. `instanceof` breaks as soon as two copies of a client package
 * end up in a bundle (or a mock builds its own), while the service error name is part of the wire contract.
 */

/** True when `error` is an SDK exception whose `name` is one of `names`. */
export function isAwsError(error: unknown, ...names: string[]): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const name = (error as { name?: unknown }).name;
  return typeof name === 'string' && names.includes(name);
}

/**
 * A short, secret-free description of an SDK failure: the exception name only. SDK messages may echo request
 * values (validation errors quote the offending parameter), so they are never copied into our errors.
 */
export function awsErrorName(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const name = (error as { name?: unknown }).name;
    if (typeof name === 'string' && /^[\w.:-]{1,100}$/.test(name)) return name;
  }
  return 'UnknownError';
}
