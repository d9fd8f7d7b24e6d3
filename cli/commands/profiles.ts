/** `sts profiles`: the CLI's profiles, which one is active and why, and what the environment overrides. */
import { Command, Option } from 'clipanion';
import { StsCommand } from '../command.js';
import { noSuchProfile } from '../sentences/settings.js';
import { configPath, DEFAULT_PROFILE, readConfig } from '../settings.js';

/** The `STS_*` variables that win over a profile's fields (flag → variable → profile → default). */
const OVERRIDES = [
  ['endpoint', 'STS_ENDPOINT'],
  ['issuer', 'STS_ISSUER'],
  ['accountName', 'STS_ACCOUNT_NAME'],
  ['role', 'STS_ROLE'],
  ['secondaryAuthorizer', 'STS_SECONDARY_ACCOUNT_NAME'],
  ['dataDir', 'STS_DATA_DIR'],
] as const;

/** Lists the profiles of the config file and marks the active one. */
export class ProfilesCommand extends StsCommand {
  static paths = [['profiles']];
  static usage = Command.Usage({
    category: 'Setup',
    description: 'List the profiles and say which one is active, and why',
    details: `
      The profiles of \`$XDG_CONFIG_HOME/stsftw/config.json\` (see \`sts configure\`), one line each, the active one marked with \`*\`: the one \`--profile\` names, else STS_PROFILE, else "default". Then the STS_* variables set in this environment, which win over the active profile's fields for every command (flags win over both).

      An active profile that does not exist (named by \`--profile\` or STS_PROFILE) is listed, then exit 64 with the sentence every other command would say. \`sts configure\` shows each profile's fields in full.
    `,
    examples: [
      ['List them', '$0 profiles'],
      ['Which one STS_PROFILE selects', 'STS_PROFILE=work $0 profiles'],
      ['As JSON', '$0 profiles --json'],
    ],
  });

  // Without the STS_PROFILE binding: the command says whether the flag or the variable chose.
  profile = Option.String('--profile', { description: 'The profile a command with this flag would use' });

  protected async run(): Promise<number> {
    const env = this.context.env;
    const path = configPath(env);
    const { profiles } = readConfig(env);
    const fromEnv = env.STS_PROFILE || undefined;
    const active = this.profile ?? fromEnv ?? DEFAULT_PROFILE;
    const why = this.profile !== undefined ? '--profile' : fromEnv ? 'STS_PROFILE' : 'default';
    const exists = profiles[active] !== undefined;
    const overrides = Object.fromEntries(
      OVERRIDES.filter(([, variable]) => env[variable]).map(([field, variable]) => [field, variable]),
    );
    const names = Object.keys(profiles).sort((a, b) =>
      a === DEFAULT_PROFILE ? -1 : b === DEFAULT_PROFILE ? 1 : a < b ? -1 : a > b ? 1 : 0,
    );
    if (this.json) {
      this.out(
        JSON.stringify({ path, active: { name: active, selectedBy: why, exists }, profiles, overrides }, null, 2),
      );
    } else {
      const lines =
        names.length === 0 ? [`No profiles in ${path}: save one with \`sts configure\`.`] : [`Profiles in ${path}:`];
      for (const name of names) {
        const p = profiles[name];
        const broker = p.local
          ? `local broker in ${p.dataDir ?? 'the default data dir'}`
          : (p.endpoint ?? 'no endpoint');
        const who = [
          p.accountName && `${p.accountName}${p.issuer ? ` of ${p.issuer}` : ''}`,
          p.role && `role ${p.role}`,
        ];
        const note = name === active ? `  (active: ${reason(why)})` : '';
        lines.push(`${name === active ? '*' : ' '} ${name}  ${[broker, ...who].filter(Boolean).join(', ')}${note}`);
      }
      if (!exists) lines.push(`Active: ${active} (${reason(why)}), which is not in the file.`);
      for (const [field, variable] of Object.entries(overrides)) {
        lines.push(`${variable}=${env[variable]} overrides the profile's ${field}.`);
      }
      this.out(lines.join('\n'));
    }
    // A named profile that is missing fails every other command: say so here too.
    if (!exists && why !== 'default') throw noSuchProfile(active, path);
    return 0;
  }
}

function reason(why: '--profile' | 'STS_PROFILE' | 'default'): string {
  return why === 'default' ? 'no --profile or STS_PROFILE given' : `selected by ${why}`;
}
