/** Asking the person on the terminal (never stdout): their TOTP code. */
import { CliError } from './errors.js';
import type { Terminal } from './terminal.js';

/** The TOTP code from `flag`, else asked with a hidden prompt; a sentence when nobody can be asked. */
export async function totpCode(terminal: Terminal, flag: string | undefined, label: string): Promise<string> {
  if (flag) return flag.replace(/\s/g, '');
  if (!terminal.interactive) {
    throw new CliError(`No TOTP code for ${label}: pass --totp-code (there is no terminal to ask on).`);
  }
  const answer = (await terminal.prompt(`TOTP code for ${label}: `, { hidden: true })).replace(/\s/g, '');
  if (!/^\d{6}$/.test(answer)) throw new CliError('A TOTP code is 6 digits: run the command again with a fresh code.');
  return answer;
}
