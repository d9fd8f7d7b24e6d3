/**
 * The building blocks of configuration validation: the error it throws and the readers of single values.
 * Each reader throws a ConfigError whose message is one sentence naming the key.
 */

/** Thrown for an invalid configuration; `key` is the offending key, the message one sentence naming it. */
export class ConfigError extends Error {
  readonly key: string;
  constructor(key: string, message: string) {
    super(message);
    this.name = 'ConfigError';
    this.key = key;
  }
}

/** An e-mail address, loosely: SNS checks it again, and the owner must confirm the subscription anyway. */
export const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** `"key"` as it appears in messages. */
export function q(key: string): string {
  return `"${key}"`;
}

/** A value as it appears in messages. */
export function show(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

/** A string matching `pattern`; `what` completes "must be …". */
export function stringValue(key: string, value: unknown, pattern: RegExp, what: string): string {
  if (typeof value !== 'string' || !pattern.test(value)) {
    throw new ConfigError(key, `Configuration key ${q(key)} must be ${what}; got ${show(value)}.`);
  }
  return value;
}

/** Context values given with `-c key=value` arrive as strings: accept "600" for 600. */
export function intValue(key: string, value: unknown, min: number, max: number, why = ''): number {
  const n = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value.trim()) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(
      key,
      `Configuration key ${q(key)} must be a whole number from ${min} to ${max}${why}; got ${show(value)}.`,
    );
  }
  return n;
}

/** A structured value as given, or parsed from the JSON text `-c key='…'` gives (left as is if not JSON). */
export function jsonTextValue(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/** A list, or (from `-c`) a comma-separated string. */
export function listValue(key: string, value: unknown): string[] {
  const list = typeof value === 'string' ? value.split(',').map((s) => s.trim()) : value;
  if (!Array.isArray(list) || list.length === 0 || list.some((v) => typeof v !== 'string' || v === '')) {
    throw new ConfigError(key, `Configuration key ${q(key)} must be a non-empty list of strings; got ${show(value)}.`);
  }
  return list;
}
