/** A one-line progress spinner for stderr; only ever started when stderr is a terminal. */
import type { Writable } from 'node:stream';

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** A running spinner. */
export interface Spinner {
  stop(): void;
}

/** Redraws `text()` every 100 ms on `stream` until stopped; the line is cleared on stop. */
export function startSpinner(stream: Writable, text: () => string): Spinner {
  let frame = 0;
  let stopped = false;
  const draw = () => {
    stream.write(`\r\x1b[2K${FRAMES[frame++ % FRAMES.length]} ${text()}`);
  };
  draw();
  const timer = setInterval(draw, 100);
  timer.unref();
  return {
    stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      stream.write('\r\x1b[2K');
    },
  };
}
