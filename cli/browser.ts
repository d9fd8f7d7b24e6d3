/**
 * Opening a URL in the person's browser: `$BROWSER` when set (the first program of its list), else the
 * platform's opener (xdg-open, open, rundll32's URL handler). Always a program and its arguments, never a
 * shell string: a URL's `&` must not become a command separator.
 */
import { spawn } from 'node:child_process';
import { delimiter } from 'node:path';

type Env = Record<string, string | undefined>;

/** The program and arguments that open `url` on `platform`. */
export function openerFor(url: string, env: Env, platform: NodeJS.Platform = process.platform): [string, string[]] {
  const browser = env.BROWSER?.split(delimiter).find((entry) => entry.trim() !== '');
  if (browser) return [browser.trim(), [url]];
  if (platform === 'darwin') return ['open', [url]];
  if (platform === 'win32') return ['rundll32', ['url.dll,FileProtocolHandler', url]];
  return ['xdg-open', [url]];
}

/**
 * Starts the opener for `url`, detached (a browser it starts outlives `sts`). Resolves with the program's
 * name once it started, or undefined with why not (not installed, not executable).
 */
export function openInBrowser(url: string, env: Env): Promise<{ opener: string; failure?: string }> {
  const [file, args] = openerFor(url, env);
  return new Promise((resolve) => {
    const child = spawn(file, args, { shell: false, detached: true, stdio: 'ignore', env });
    child.once('error', (e: NodeJS.ErrnoException) => {
      resolve({ opener: file, failure: e.code === 'ENOENT' ? 'not found' : (e.code ?? 'failed') });
    });
    child.once('spawn', () => {
      child.unref();
      resolve({ opener: file });
    });
  });
}
