/**
 * Prompts on the controlling terminal. The typed text is read from /dev/tty (echo off for secrets), never
 * from stdin, and nothing is written to stdout, so `$(sts get)` and credential_process keep working. The
 * question goes to stderr when stderr is a terminal, else to /dev/tty itself (credential_process callers
 * capture stderr).
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { ReadStream } from 'node:tty';
import { InterruptedError } from './errors.js';

/** What commands need from a terminal. */
export interface Terminal {
  /** True when a person can be asked (a controlling terminal exists). */
  readonly interactive: boolean;
  /** Asks and returns the answer line (without the newline). `hidden`: no echo (TOTP codes). */
  prompt(question: string, options?: { hidden?: boolean }): Promise<string>;
  /** Shows a line to the person (used when stderr is captured, e.g. by credential_process). */
  say(text: string): void;
}

const TTY_PATH = '/dev/tty';

function isTty(stream: Writable): boolean {
  return (stream as { isTTY?: boolean }).isTTY === true;
}

/**
 * Reads one answer from `input` (a terminal, raw or not) up to Enter. Ctrl-C, Ctrl-D on an empty answer and
 * the end of input (Ctrl-D in a cooked terminal) all reject with InterruptedError: no answer is never "yes".
 */
export function readAnswer(input: Readable): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    let answer = '';
    const finish = (error?: Error) => {
      input.off('data', onData).off('end', onEnd).off('error', finish);
      if (error) reject(error);
      else resolve(answer);
    };
    const onEnd = () => finish(new InterruptedError());
    const onData = (chunk: Buffer | string) => {
      for (const char of chunk.toString()) {
        if (char === '\r' || char === '\n') return finish();
        if (char === '\u0003') return finish(new InterruptedError()); // Ctrl-C in raw mode
        if (char === '\u0004' && answer === '') return finish(new InterruptedError()); // Ctrl-D
        if (char === '\u007f' || char === '\b') answer = answer.slice(0, -1);
        else if (char >= ' ') answer += char;
      }
    };
    input.on('data', onData).once('end', onEnd).once('error', finish);
  });
}

/** The real terminal: /dev/tty; `stderr` shows the questions when it is a terminal. */
export function systemTerminal(stderr: Writable): Terminal {
  let probed: boolean | undefined;
  const probe = (): boolean => {
    if (probed === undefined) {
      try {
        closeSync(openSync(TTY_PATH, 'r+'));
        probed = true;
      } catch {
        probed = false; // no controlling terminal (CI, cron, a detached credential_process)
      }
    }
    return probed;
  };
  const show = (fd: number, text: string) => {
    if (isTty(stderr)) stderr.write(text);
    else writeSync(fd, text);
  };
  return {
    get interactive() {
      return probe();
    },
    say(text) {
      if (isTty(stderr) || !probe()) {
        stderr.write(text);
        return;
      }
      const fd = openSync(TTY_PATH, 'r+');
      try {
        writeSync(fd, text);
      } finally {
        closeSync(fd);
      }
    },
    prompt(question, options = {}) {
      const fd = openSync(TTY_PATH, 'r+');
      const input = new ReadStream(fd);
      show(fd, question);
      if (options.hidden) input.setRawMode(true);
      return readAnswer(input).finally(() => {
        if (options.hidden && !input.destroyed) {
          input.setRawMode(false);
          show(fd, '\n');
        }
        input.destroy(); // closes fd
      });
    },
  };
}
