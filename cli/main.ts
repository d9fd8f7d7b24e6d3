/** Process entry for `sts`: runs the CLI with the real streams and exits with its code. */
import { buildCli } from './cli.js';

const cli = buildCli();
const code = await cli.run(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  colorDepth: process.stdout.isTTY ? 8 : 1,
});
process.exitCode = code;
