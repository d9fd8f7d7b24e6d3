/** Process entry for `sts`: runs the CLI with the real streams and exits with its code. */
import { warmCredentialProcess } from './fast-path.js';

const argv = process.argv.slice(2);
// credential_process runs before every AWS call: answer from the cache without loading the CLI.
const warm = warmCredentialProcess(argv, process.env, Date.now());
if (warm !== undefined) {
  process.stdout.write(warm);
} else {
  // The broker and admin commands load the AWS SDK, which warns about Node 20 on every start; the
  // warning is for SDK maintainers, not for people running `sts` (Lambda runs Node 22).
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const { runSts } = await import('./cli.js');
  // clipanion's default colour choice looks at $TERM, not at stdout: `sts --help | less` would get escapes.
  const colors = process.stdout.isTTY === true && !process.env.NO_COLOR;
  process.exitCode = await runSts(
    argv,
    {
      stdin: process.stdin,
      stdout: process.stdout,
      stderr: process.stderr,
      env: process.env,
      colorDepth: colors ? 8 : 1,
    },
    { enableColors: colors },
  );
}
