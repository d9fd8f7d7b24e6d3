/**
 * Lenient readers for DynamoDB item attributes (already unmarshalled, `documents.ts`). Items may come from
 * STSFTW 1.0, from the state machine's direct DynamoDB writes or from an operator's console edit, so the
 * adapters read defensively instead of trusting a cast.
 */

/** A string attribute, or undefined when absent or not a string. */
export function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** A number attribute, or undefined when absent or not a finite number. */
export function optionalNumber(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  // Numbers written through a low-level client with wrapNumbers, or hand-edited, may arrive as strings.
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return undefined;
}

/**
 * A list of strings stored either as a DynamoDB list (`L` of `S`, what we write) or a string set (`SS`, what
 * STSFTW 1.0 wrote for some entries). A string set unmarshalls into a `Set`.
 */
export function stringList(value: unknown): string[] {
  const items = value instanceof Set ? [...value] : Array.isArray(value) ? value : [];
  return items.filter((item): item is string => typeof item === 'string');
}
