/**
 * Setting up a TOTP device (used by `sts enroll` and `sts update device`): show the otpauth URL as a QR code,
 * then prove the app holds the secret by asking for two codes from two different time steps. One code alone
 * could be a lucky guess or typed from another entry; a later second one also shows the device clock agrees.
 * STSFTW 1.0 accepted the same code twice; this does not.
 */
import { InvalidCredentialsError, InvalidRequestError } from '../../lambdas/core/errors.js';
import { generateOtpauthUrl, matchStep } from '../../lambdas/core/totp.js';
import type { Terminal } from '../terminal.js';
import { renderQr } from './qr.js';

/** Wrong codes accepted before giving up (each step is only 30 s; more tries would just invite guessing). */
export const MAX_WRONG_CODES = 5;
/** Answers of any kind before giving up, so a script repeating one code cannot loop forever. */
export const MAX_ANSWERS = 12;

/** A new device: its otpauth URL (holds the secret) and, once verified, the step of the last code typed. */
export interface NewDevice {
  otpauthUrl: string;
  lastStep?: number;
}

/**
 * Generates a secret for `accountName` in `issuer`; unless `quiet`, shows it on the terminal and, if `verify`,
 * checks two codes. The URL is shown on the terminal (never stdout, where a script could capture it).
 */
export async function setUpDevice(
  terminal: Terminal,
  issuer: string,
  accountName: string,
  options: { quiet: boolean; verify: boolean },
): Promise<NewDevice> {
  // Refuse before generating anything: without a terminal nobody can scan the code or type one back.
  if (!options.quiet && options.verify && !terminal.interactive) {
    throw new InvalidRequestError(
      'No terminal to type the TOTP codes on: run this in a terminal, or pass --no-verify.',
    );
  }
  const otpauthUrl = generateOtpauthUrl(issuer, accountName);
  if (options.quiet) return { otpauthUrl };
  await showDevice(terminal, otpauthUrl, `${accountName} (${issuer})`);
  if (!options.verify) return { otpauthUrl };
  return { otpauthUrl, lastStep: await verifyDevice(terminal, otpauthUrl) };
}

/** Shows the QR code, the URL (for apps that cannot scan) and what to do next. */
export async function showDevice(terminal: Terminal, otpauthUrl: string, label: string): Promise<void> {
  terminal.say(`Scan this QR code with your authenticator app to add ${label}:\n\n`);
  terminal.say(await renderQr(otpauthUrl));
  terminal.say(`\nOr enter this URL by hand (it contains the secret; do not share it):\n${otpauthUrl}\n\n`);
}

/**
 * Asks for two codes and checks them against `otpauthUrl`.
 * @returns the later time step, so the caller can mark it used (the codes were typed on screen).
 * @throws InvalidCredentialsError after too many wrong codes.
 */
export async function verifyDevice(terminal: Terminal, otpauthUrl: string): Promise<number> {
  let wrong = 0;
  let first: number | null = null;
  for (let answers = 0; answers < MAX_ANSWERS; answers++) {
    const question = first === null ? 'Enter the code the app shows: ' : 'Wait for the next code, then enter it: ';
    const code = (await terminal.prompt(question, { hidden: true })).replace(/\s+/g, '');
    const step = matchStep(otpauthUrl, code, new Date());
    if (step === null) {
      wrong++;
      if (wrong >= MAX_WRONG_CODES) {
        throw new InvalidCredentialsError(
          'Too many wrong codes, so the device was not saved: check the phone clock and run the command again.',
        );
      }
      terminal.say('That code does not match: type the newest code of the entry you just added.\n');
    } else if (first === null) {
      first = step;
      terminal.say('First code accepted.\n');
    } else if (step === first) {
      terminal.say('That code is from the same 30-second window as the first one: wait for the next code.\n');
    } else if (step < first) {
      terminal.say('That code is older than the first one: enter the newest code the app shows.\n');
    } else {
      terminal.say('Second code accepted: the device is set up.\n');
      return step;
    }
  }
  throw new InvalidCredentialsError('No code from a later time step was entered, so the device was not saved.');
}
