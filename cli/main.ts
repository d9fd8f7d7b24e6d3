/**
 * Process entry for `sts`: runs the CLI with the real streams and exits with its code. The build makes it
 * dist/sts.cjs, a CommonJS file (bin/sts.cjs requires it): a process that loads no ES module starts sooner
 * (scripts/build.mjs has the figure), and the two answers below come on every AWS call (credential_process)
 * and every `--help`. Hence no top-level await here, and `import.meta.url` is defined by the build.
 */
import { warmCredentialProcess } from './fast-path.js';
import { HELP_DIR, prebuiltHelp } from './prebuilt-help.js';
import { stdoutIsTerminal, writeStdout } from './stdout.js';

const argv = process.argv.slice(2);
// clipanion's default colour choice looks at $TERM, not at stdout: `sts --help | less` would get escapes.
const colours = () => stdoutIsTerminal() && !process.env.NO_COLOR;
// `sts --help`, `sts <command> --help` and `sts --version` print what the build printed for them, and
// credential_process runs before every AWS call: both answer without loading the CLI.
const answer =
  prebuiltHelp(argv, colours, new URL(`${HELP_DIR}/`, import.meta.url)) ??
  warmCredentialProcess(argv, process.env, Date.now());
if (answer !== undefined) writeStdout(answer);
else void runCli();

/** Everything else: the CLI proper (dist/cli.mjs, an ES module the bundle imports only here). */
async function runCli(): Promise<void> {
  // The broker and admin commands load the AWS SDK, which warns about Node 20 on every start; the
  // warning is for SDK maintainers, not for people running `sts` (Lambda runs Node 22).
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const { runSts } = await import('./cli.js');
  const colors = colours();
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
