/**
 * What STSFTW 1.0's Go client (`sts get`, github.com/jtaylorcpp/stsftw cmd/get.go) does with an answer of
 * `POST /`. It never looks at the status code: it reads the whole body and `json.Unmarshal`s it into
 * `struct{ AccessKeyId, SecretAccessKey, SessionToken string }`. If that returns an error it logs fatally
 * (exit 1, nothing on stdout); otherwise it prints three `export` lines with whatever the fields hold,
 * empty ones included, and exits 0 — so `eval $(sts get …)` would blank the caller's AWS variables.
 *
 * The model follows encoding/json's rules for that target type:
 * - the whole body must be one valid JSON value, surrounded only by JSON whitespace (no BOM); empty,
 *   non-JSON text or trailing data is a syntax error;
 * - `null` leaves the struct alone: success, all fields empty;
 * - a string, number, boolean or array cannot go into a struct: an UnmarshalTypeError;
 * - an object succeeds: each key matches a field case-insensitively (Go folds names), unknown keys are
 *   ignored, a matching key with `null` leaves the field alone, a string sets it (the last duplicate
 *   wins), any other value is an UnmarshalTypeError (Go finishes decoding, then returns it).
 */

/** The outcome of one `sts get` run. */
export interface LegacyClientRun {
  exitCode: 0 | 1;
  stdout: string;
  /** Why Unmarshal failed (as a sentence, not Go's exact wording); undefined on success. */
  error?: string;
}

const FIELDS = ['AccessKeyId', 'SecretAccessKey', 'SessionToken'] as const;
type Field = (typeof FIELDS)[number];

type Kind = 'object' | 'array' | 'string' | 'number' | 'boolean' | 'null';
interface Member {
  key: string;
  kind: Kind;
  text?: string;
}

class SyntaxFailure extends Error {}

/** A strict RFC 8259 reader that keeps a top-level object's members in order, duplicates included. */
class Reader {
  private i = 0;
  constructor(private readonly s: string) {}

  document(): { kind: Kind; members: Member[] } {
    this.ws();
    const top = this.value(true);
    this.ws();
    if (this.i !== this.s.length) throw new SyntaxFailure(`invalid character after top-level value at ${this.i}`);
    return top;
  }

  private ws() {
    while (this.i < this.s.length && ' \t\n\r'.includes(this.s[this.i])) this.i++;
  }

  private value(top = false): { kind: Kind; members: Member[]; text?: string } {
    const ch = this.s[this.i];
    if (ch === '{') return { kind: 'object', members: this.object(top) };
    if (ch === '[') {
      this.array();
      return { kind: 'array', members: [] };
    }
    if (ch === '"') return { kind: 'string', members: [], text: this.string() };
    for (const [literal, kind] of [
      ['true', 'boolean'],
      ['false', 'boolean'],
      ['null', 'null'],
    ] as const) {
      if (this.s.startsWith(literal, this.i)) {
        this.i += literal.length;
        return { kind, members: [] };
      }
    }
    const number = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(this.s.slice(this.i));
    if (number) {
      this.i += number[0].length;
      return { kind: 'number', members: [] };
    }
    throw new SyntaxFailure(`invalid character ${JSON.stringify(ch ?? '')} looking for beginning of value`);
  }

  private object(keep: boolean): Member[] {
    const members: Member[] = [];
    this.i++;
    this.ws();
    if (this.s[this.i] === '}') {
      this.i++;
      return members;
    }
    for (;;) {
      this.ws();
      if (this.s[this.i] !== '"') throw new SyntaxFailure('expected an object key');
      const key = this.string();
      this.ws();
      if (this.s[this.i++] !== ':') throw new SyntaxFailure('expected a colon after an object key');
      this.ws();
      const { kind, text } = this.value();
      if (keep) members.push({ key, kind, text });
      this.ws();
      const next = this.s[this.i++];
      if (next === '}') return members;
      if (next !== ',') throw new SyntaxFailure('expected a comma or the end of the object');
    }
  }

  private array() {
    this.i++;
    this.ws();
    if (this.s[this.i] === ']') {
      this.i++;
      return;
    }
    for (;;) {
      this.ws();
      this.value();
      this.ws();
      const next = this.s[this.i++];
      if (next === ']') return;
      if (next !== ',') throw new SyntaxFailure('expected a comma or the end of the array');
    }
  }

  private string(): string {
    // biome-ignore lint/suspicious/noControlCharactersInRegex: JSON forbids raw control characters in strings.
    const token = /^"(?:[^"\\\u0000-\u001f]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*"/.exec(this.s.slice(this.i));
    if (!token) throw new SyntaxFailure('invalid string');
    this.i += token[0].length;
    return JSON.parse(token[0]) as string;
  }
}

/** encoding/json's name folding: ASCII upper case; other runes ToUpper(ToLower(r)) (simple mappings). */
function foldName(name: string): string {
  let out = '';
  for (const ch of name) {
    if (ch < '\u0080') {
      out += ch >= 'a' && ch <= 'z' ? ch.toUpperCase() : ch;
      continue;
    }
    const folded = ch.toLowerCase().toUpperCase();
    out += [...folded].length === 1 ? folded : ch;
  }
  return out;
}

const fieldByFold = new Map<string, Field>(FIELDS.map((f) => [foldName(f), f]));

/** Replays 1.0's `sts get` on the raw body of an answer (the status code does not matter to it). */
export function legacyClientRun(body: Uint8Array | string): LegacyClientRun {
  // Go keeps invalid UTF-8 inside strings as U+FFFD and refuses it elsewhere: decoding first does the same.
  // A byte-order mark is kept, so it fails as it does in Go.
  const text = typeof body === 'string' ? body : new TextDecoder('utf-8', { ignoreBOM: true }).decode(body);
  let document: { kind: Kind; members: Member[] };
  try {
    document = new Reader(text).document();
  } catch (e) {
    return { exitCode: 1, stdout: '', error: `syntax error: ${(e as Error).message}` };
  }
  if (document.kind !== 'object' && document.kind !== 'null') {
    return { exitCode: 1, stdout: '', error: `cannot unmarshal ${document.kind} into the credentials struct` };
  }
  const creds: Record<Field, string> = { AccessKeyId: '', SecretAccessKey: '', SessionToken: '' };
  let typeError: string | undefined;
  for (const { key, kind, text: value } of document.members) {
    const field = fieldByFold.get(foldName(key));
    if (!field || kind === 'null') continue;
    if (kind === 'string') creds[field] = value as string;
    else typeError ??= `cannot unmarshal ${kind} into field ${field} of type string`;
  }
  if (typeError) return { exitCode: 1, stdout: '', error: typeError };
  const stdout =
    `export AWS_ACCESS_KEY_ID=${creds.AccessKeyId}\n` +
    `export AWS_SECRET_ACCESS_KEY=${creds.SecretAccessKey}\n` +
    `export AWS_SESSION_TOKEN=${creds.SessionToken}\n`;
  return { exitCode: 0, stdout };
}

/** Runs the replay on a fetch `Response` (reads its body). */
export async function legacyClientRunOn(res: Response): Promise<LegacyClientRun> {
  return legacyClientRun(new Uint8Array(await res.arrayBuffer()));
}
