/**
 * Writing the whole answer of a process that prints one text and exits (`sts --help`, the warm
 * credential_process call) without creating `process.stdout`: on a pipe that stream loads `net` and the
 * stream modules, a few milliseconds of a call that is otherwise done. Only node:fs.
 */
import { fstatSync, writeSync } from 'node:fs';

/**
 * Writes `text` to file descriptor 1 and returns once it is all written. Whatever a plain write cannot do
 * (a full non-blocking pipe, a closed one, no fd 1) is left to `process.stdout`, as if it had written it all.
 */
export function writeStdout(text: string): void {
  let rest = Buffer.from(text, 'utf8');
  try {
    while (rest.length > 0) rest = rest.subarray(writeSync(1, rest));
  } catch {
    process.stdout.write(rest);
  }
}

/**
 * `process.stdout.isTTY`, without creating the stream when fd 1 cannot be a terminal (a pipe, a socket, a
 * file): only a character device can be one (so can /dev/null, for which the stream decides).
 */
export function stdoutIsTerminal(): boolean {
  try {
    if (!fstatSync(1).isCharacterDevice()) return false;
  } catch {
    // no usable fd 1: the stream decides, as it always did
  }
  return process.stdout.isTTY === true;
}
