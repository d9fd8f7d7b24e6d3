/**
 * TOTP codes for tests that talk to a real broker. The broker accepts each time step at most once per
 * account, in increasing order, and only steps within ±1 of its clock, so an account has at most three
 * usable codes at any moment. `TotpCodes` remembers the last step handed out per account and gives the
 * next valid one, sleeping until the next 30-second step only when it has to.
 */
import * as OTPAuth from 'otpauth';

const PERIOD_MS = 30_000;
/**
 * A code for the previous step stops working at the next step boundary. Skip it when the boundary is this
 * close: the broker checks some codes only once the workflow runs, a moment after the HTTP call, and a
 * loaded CI machine can stretch that moment to seconds.
 */
const PREVIOUS_STEP_MARGIN_MS = 10_000;
/** After a step boundary, wait this much more so the broker's clock has crossed it too. */
const BOUNDARY_SLACK_MS = 300;

interface Account {
  totp: OTPAuth.TOTP;
  lastStep: number;
  lastCode?: string;
}

/** Hands out fresh, valid TOTP codes per account. */
export class TotpCodes {
  private readonly accounts = new Map<string, Account>();

  /** @param now the test's clock (the broker runs on the same machine, so on the same clock). */
  constructor(private readonly now: () => number = Date.now) {}

  /**
   * Registers an account by its otpauth URL under `name`.
   * @param lastStep a step already used (e.g. during enrollment), if any.
   */
  add(name: string, otpauthUrl: string, lastStep = Number.NEGATIVE_INFINITY): void {
    const totp = OTPAuth.URI.parse(otpauthUrl);
    if (!(totp instanceof OTPAuth.TOTP)) throw new Error(`${name}: not a TOTP URL`);
    this.accounts.set(name, { totp, lastStep });
  }

  /** The next never-used valid code of `name`; marks its step used. Waits for a new step if all three are spent. */
  async next(name: string): Promise<string> {
    const account = this.account(name);
    for (;;) {
      const now = this.now();
      const current = Math.floor(now / PERIOD_MS);
      let step = Math.max(account.lastStep + 1, current - 1);
      if (step === current - 1 && (current + 1) * PERIOD_MS - now < PREVIOUS_STEP_MARGIN_MS) step = current;
      if (step <= current + 1) {
        const code = account.totp.generate({ timestamp: step * PERIOD_MS });
        account.lastStep = step;
        account.lastCode = code;
        return code;
      }
      // All of s-1, s, s+1 are spent: wait until `step` is s+1.
      await sleep((step - 1) * PERIOD_MS - now + BOUNDARY_SLACK_MS);
    }
  }

  /** The last code handed out for `name` (to test replays). */
  last(name: string): string {
    const code = this.account(name).lastCode;
    if (code === undefined) throw new Error(`${name}: no code handed out yet`);
    return code;
  }

  /** A well-formed code that matches none of the steps around now (two either side, for clock slack). */
  wrong(name: string): string {
    const account = this.account(name);
    const current = Math.floor(this.now() / PERIOD_MS);
    const valid = new Set<string>();
    for (let step = current - 2; step <= current + 2; step++) {
      valid.add(account.totp.generate({ timestamp: step * PERIOD_MS }));
    }
    for (let n = 0; ; n++) {
      const candidate = String((123_456 + n * 7_919) % 1_000_000).padStart(6, '0');
      if (!valid.has(candidate)) return candidate;
    }
  }

  /** The base32 secret of `name` (for leak checks). */
  secret(name: string): string {
    return this.account(name).totp.secret.base32;
  }

  private account(name: string): Account {
    const account = this.accounts.get(name);
    if (!account) throw new Error(`unknown test account ${name}`);
    return account;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
