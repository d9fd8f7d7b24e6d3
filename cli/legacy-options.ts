/**
 * STSFTW 1.0 flags that no longer do anything. 1.0's `sts` took `--table-name`, `--endpoint`, `--issuer`,
 * `--account-name` and `--log-level` on every command (cmd/root.go); scripts written for it keep running:
 * the ones that no longer apply are accepted (hidden from `--help`) and ignored with a one-line note.
 */
import { Option } from 'clipanion';

/** `--log-level` (1.0: zerolog's level). */
export const logLevelOption = () => Option.String('--log-level', { hidden: true });

/** `--table-name` where the broker, not the CLI, reads the table (1.0's `get` ignored it too). */
export const ignoredTableNameOption = () => Option.String('--table-name', { hidden: true });

/** `--endpoint` on the administration commands, which work on the auth table directly. */
export const ignoredEndpointOption = () => Option.String('--endpoint', { hidden: true });

const notes = {
  logLevel:
    '--log-level (an STSFTW 1.0 flag) is ignored: sts 2 prints no logs; STS_DEBUG=1 shows the details of an unexpected error.',
  tableName: '--table-name (an STSFTW 1.0 flag) is ignored by `sts get`: the broker reads its own auth table.',
  endpoint:
    '--endpoint is ignored by administration commands: they work on the auth table (--table-name, or --local), not through the broker.',
} as const;

/** The `sts: note: …` lines for the ignored flags that were given (undefined = not given). */
export function ignoredFlagNotes(given: Partial<Record<keyof typeof notes, string | undefined>>): string[] {
  return (Object.keys(notes) as (keyof typeof notes)[])
    .filter((flag) => given[flag] !== undefined)
    .map((flag) => `sts: note: ${notes[flag]}\n`);
}
