/**
 * The approval state machine (`approval.asl.json`) and its `${Placeholder}` substitution.
 * CDK passes the raw text with `definitionSubstitutions`; the embedded broker substitutes here.
 */
import { InternalError } from '../lambdas/core/errors.js';
// Imported rather than read from disk so that bundles (the CLI's esbuild output) carry it inline.
import definitionJson from './approval.asl.json' with { type: 'json' };

/** Every placeholder the definition uses, without `${…}`. */
export const placeholders = ['VerifyFunctionArn', 'MintFunctionArn', 'RequestsTableName', 'AuditTopicArn'] as const;

/** One of the definition's placeholder names. */
export type Placeholder = (typeof placeholders)[number];

const placeholderPattern = /\$\{([A-Za-z0-9_]+)\}/g;

/** The definition text with its placeholders intact, for CDK's `DefinitionBody.fromString` + `definitionSubstitutions`. */
export function rawDefinition(): string {
  return JSON.stringify(definitionJson, null, 2);
}

/**
 * The definition with every `${Name}` replaced by `substitutions[Name]`.
 * Throws naming each placeholder without a value (or each value without a placeholder), and if the
 * result is not JSON.
 */
export function loadDefinition(substitutions: Record<string, string>): string {
  const raw = rawDefinition();
  const used = new Set([...raw.matchAll(placeholderPattern)].map((m) => m[1]));
  const missing = [...used].filter((name) => typeof substitutions[name] !== 'string');
  if (missing.length > 0) {
    throw new InternalError(
      `State machine definition: no substitution for ${missing.map((n) => `\${${n}}`).join(', ')}.`,
    );
  }
  const unknown = Object.keys(substitutions).filter((name) => !used.has(name));
  if (unknown.length > 0) {
    throw new InternalError(`State machine definition: no placeholder named ${unknown.join(', ')}.`);
  }
  // Escaped as JSON string content: every placeholder sits inside a JSON string.
  const text = raw.replace(placeholderPattern, (_, name: string) => JSON.stringify(substitutions[name]).slice(1, -1));
  try {
    JSON.parse(text);
  } catch {
    throw new InternalError('State machine definition: the substituted definition is not valid JSON.');
  }
  return text;
}

/**
 * Substitutions for the embedded broker, where no real Lambda or SNS topic exists: the local workflow
 * overrides every task by its resource type, so these only need to be well-formed ARNs and the real table name.
 */
export function localSubstitutions(options: { requestsTableName: string }): Record<Placeholder, string> {
  return {
    VerifyFunctionArn: 'arn:aws:lambda:local:000000000000:function:stsftw-verify',
    MintFunctionArn: 'arn:aws:lambda:local:000000000000:function:stsftw-mint',
    RequestsTableName: options.requestsTableName,
    AuditTopicArn: 'arn:aws:sns:local:000000000000:stsftw-audit',
  };
}
