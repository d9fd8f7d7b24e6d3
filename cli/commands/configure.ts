/** `sts configure`: write a named profile of the CLI's config file, or show the profiles. */
import { resolve } from 'node:path';
import { Command, Option } from 'clipanion';
import { PROFILE_NAME } from '../aws-profile.js';
import { StsCommand } from '../command.js';
import { CliError } from '../errors.js';
import { noSuchProfile } from '../sentences/settings.js';
import {
  type ConfigFile,
  configPath,
  DEFAULT_DATA_DIR,
  DEFAULT_PROFILE,
  type Profile,
  type ProfileChanges,
  readConfig,
  saveProfile,
} from '../settings.js';

const labels: [keyof Profile, string][] = [
  ['endpoint', 'endpoint'],
  ['issuer', 'issuer'],
  ['accountName', 'account name'],
  ['role', 'role'],
  ['secondaryAuthorizer', 'approver'],
];

/** Saves endpoint (or local mode), issuer, account, role and approver defaults under a profile name. */
export class ConfigureCommand extends StsCommand {
  static paths = [['configure']];
  static usage = Command.Usage({
    category: 'Setup',
    description: 'Save defaults (endpoint or local broker, issuer, account, role, approver) as a named profile',
    details: `
      Writes \`$XDG_CONFIG_HOME/stsftw/config.json\` (else \`~/.config/stsftw/config.json\`), mode 0600. Only the fields given change; other profiles stay. Every command reads the profile named by \`--profile\` / STS_PROFILE (default "default"); flags and STS_* variables still win over it. Without any field it shows the profiles.

      \`--local\` makes the profile use the embedded broker (\`sts server\`) in \`--data-dir\` (default ./.stsftw, saved as an absolute path, so it works from any directory; \`sts server\` keeps its data there too). \`--endpoint\` switches back to a deployed broker; an explicit \`--endpoint\` / STS_ENDPOINT also wins over a local profile for one command.

      \`--aws-profile NAME\` also writes \`[profile NAME]\` (\`[default]\` for "default") of the AWS config file (AWS_CONFIG_FILE, else \`~/.aws/config\`): \`credential_process\` runs this \`sts\` (its Node and script, by absolute path) as \`get --profile <--profile> --format credential-process\`, and \`region\` is the profile's region when it has one. The AWS CLI and SDKs then ask the broker themselves. Every other line and comment stays, the file keeps its mode (a new one is 0600), a symlink stays a symlink. \`--remove\` takes that AWS profile out again.

      With \`--from-stack NAME\` the endpoint comes from the deployed stack's \`Endpoint\` output (CloudFormation DescribeStacks with your AWS credentials; \`--region\` or AWS_REGION names the region). People without AWS access use \`--endpoint\`.
    `,
    examples: [
      [
        'The default profile',
        '$0 configure --endpoint https://sts.example.com --issuer acme --account-name alice --role admin',
      ],
      ['The embedded broker', '$0 configure --local --data-dir ~/.stsftw --issuer demo --account-name alice'],
      ['A second profile', '$0 configure --profile staging --endpoint https://sts.staging.example.com'],
      [
        'From the deployed stack',
        '$0 configure --from-stack stsftw --region eu-west-1 --issuer acme --account-name alice',
      ],
      ['An AWS CLI profile that runs sts', '$0 configure --profile staging --aws-profile staging-admin'],
      ['Remove it again', '$0 configure --aws-profile staging-admin --remove'],
      ['Show the profiles', '$0 configure'],
    ],
  });

  // Redeclared without the STS_* bindings: configure saves what is typed, not the current environment.
  endpoint = Option.String('--endpoint', { description: 'Broker URL' });
  issuer = Option.String('--issuer', { description: 'Issuer (TOTP issuer / team name)' });
  accountName = Option.String('--account-name', { description: 'Your account name' });
  profile = Option.String('--profile', { description: 'Profile to write (default "default")' });
  role = Option.String('--role', { description: 'Default role' });
  secondaryAuthorizer = Option.String('--secondary-authorizer', { description: 'Default approver to ask' });
  local = Option.Boolean('--local', {
    description: 'Use the embedded broker (`sts server`) in --data-dir; --no-local turns it off',
  });
  dataDir = Option.String('--data-dir', {
    description: `Data dir of the embedded broker, saved as an absolute path (default ${DEFAULT_DATA_DIR})`,
  });
  fromStack = Option.String('--from-stack', {
    description: "Take the endpoint from this deployed stack's Endpoint output (needs AWS credentials)",
  });
  region = Option.String('--region', {
    description: 'AWS region, saved in the profile for `sts exec`; also the region of --from-stack (else AWS_REGION)',
  });

  awsProfile = Option.String('--aws-profile', {
    description: 'Also write this profile of ~/.aws/config, with a credential_process that runs sts',
  });
  remove = Option.Boolean('--remove', { description: 'With --aws-profile: take that profile out of ~/.aws/config' });

  protected override validate(): void {
    if (this.remove && this.awsProfile === undefined) {
      throw new CliError('--remove takes out an AWS profile: name it with --aws-profile NAME.');
    }
    if (this.awsProfile !== undefined && !PROFILE_NAME.test(this.awsProfile)) {
      throw new CliError(
        `"${this.awsProfile}" cannot be an AWS profile name: use letters, digits and _.@+=,:/- (up to 64).`,
      );
    }
    if (this.fromStack && this.endpoint) throw new CliError('give --endpoint or --from-stack, not both.');
    if (this.local && (this.endpoint || this.fromStack)) {
      throw new CliError('give --local or a broker endpoint (--endpoint, --from-stack), not both.');
    }
    if (this.endpoint) {
      try {
        new URL(this.endpoint);
      } catch {
        throw new CliError(`"${this.endpoint}" is not a URL: pass --endpoint like https://sts.example.com.`);
      }
    }
  }

  protected async run(): Promise<number> {
    const env = this.context.env;
    const nothing = [
      this.endpoint,
      this.fromStack,
      this.issuer,
      this.accountName,
      this.role,
      this.secondaryAuthorizer,
      this.region,
    ];
    const noFields =
      nothing.every((value) => value === undefined) && this.local === undefined && this.dataDir === undefined;
    if (this.remove) {
      if (!noFields) throw new CliError('--remove takes only --aws-profile: save profile fields in another command.');
      return this.removeAwsProfile(this.awsProfile as string);
    }
    if (noFields) return this.awsProfile !== undefined ? this.writeAwsProfile() : this.show(readConfig(env));
    let endpoint = this.endpoint;
    // The region typed here, or the one the stack was found in: where this profile's credentials are used.
    let region = this.region;
    if (this.fromStack) {
      const { stackEndpoint } = await import('../stack-outputs.js');
      region ??= env.AWS_REGION || undefined;
      endpoint = await stackEndpoint(this.fromStack, region);
    }
    const name = this.profile ?? DEFAULT_PROFILE;
    const before = readConfig(env).profiles[name] ?? {};
    const changes: ProfileChanges = {
      endpoint,
      issuer: this.issuer,
      accountName: this.accountName,
      role: this.role,
      secondaryAuthorizer: this.secondaryAuthorizer,
      region,
      ...(this.dataDir !== undefined ? { dataDir: resolve(this.dataDir) } : {}),
    };
    // A profile talks to one broker: a deployed one (endpoint) or the embedded one (local, data dir).
    if (endpoint || this.local === false) changes.local = null;
    if (this.local === true) Object.assign(changes, { local: true, endpoint: null });
    if (this.local === true && changes.dataDir === undefined && !before.dataDir) {
      changes.dataDir = resolve(DEFAULT_DATA_DIR); // absolute: later commands run from other directories
    }
    const path = saveProfile(env, name, changes);
    const saved = readConfig(env).profiles[name] ?? {};
    if (this.json) this.out(JSON.stringify({ profile: name, path }));
    else if (saved.local) {
      const dir = saved.dataDir ?? resolve(DEFAULT_DATA_DIR);
      this.out(
        `Saved profile ${name} in ${path}: it uses the embedded broker in ${dir} (start it with \`sts server\`).`,
      );
    } else this.out(`Saved profile ${name} in ${path}.`);
    return this.awsProfile !== undefined ? this.writeAwsProfile() : 0;
  }

  /** `--aws-profile NAME`: the AWS config profile that runs `sts get --profile <this profile>`. */
  private async writeAwsProfile(): Promise<number> {
    const env = this.context.env;
    const name = this.profile ?? DEFAULT_PROFILE;
    const profile = readConfig(env).profiles[name];
    if (!profile) throw noSuchProfile(name, configPath(env), true);
    const { writeAwsConfigProfile } = await import('../aws-config.js');
    const awsProfile = this.awsProfile as string;
    const path = writeAwsConfigProfile(env, awsProfile, name, profile.region);
    if (this.json) this.out(JSON.stringify({ awsProfile, profile: name, path }));
    else {
      const region = profile.region ? ` in ${profile.region}` : ' (no region: give one with --region)';
      this.out(
        `Saved AWS profile ${awsProfile} in ${path}${region}: the AWS CLI and SDKs run \`sts get --profile ${name}\` for it (try \`aws sts get-caller-identity --profile ${awsProfile}\`).`,
      );
    }
    return 0;
  }

  /** `--aws-profile NAME --remove`. */
  private async removeAwsProfile(awsProfile: string): Promise<number> {
    const { removeAwsConfigProfile } = await import('../aws-config.js');
    const { path, written } = removeAwsConfigProfile(this.context.env, awsProfile);
    if (this.json) this.out(JSON.stringify({ awsProfile, path, removed: written }));
    else if (written) this.out(`Removed AWS profile ${awsProfile} from ${path}.`);
    else this.out(`No AWS profile ${awsProfile} in ${path}: nothing to remove.`);
    return 0;
  }

  /** Prints the profiles (or the one `--profile` names): each setting, and which one commands use. */
  private show(config: ConfigFile): number {
    const path = configPath(this.context.env);
    const fromEnv = this.context.env.STS_PROFILE || undefined;
    const selected = fromEnv ?? DEFAULT_PROFILE;
    let names = Object.keys(config.profiles).sort((a, b) =>
      a === DEFAULT_PROFILE ? -1 : b === DEFAULT_PROFILE ? 1 : a.localeCompare(b),
    );
    if (this.profile !== undefined) {
      if (!config.profiles[this.profile]) throw noSuchProfile(this.profile, path, true);
      names = [this.profile];
    }
    if (this.json) {
      const profiles = Object.fromEntries(names.map((name) => [name, config.profiles[name]]));
      this.out(JSON.stringify({ path, selected, profiles }, null, 2));
      return 0;
    }
    if (names.length === 0) {
      this.out(
        `No profiles yet in ${path}: save one with \`sts configure --endpoint URL --issuer NAME --account-name NAME\`, or \`sts configure --local …\` for the embedded broker.`,
      );
      return 0;
    }
    const lines = [`Profiles in ${path}:`, ''];
    for (const name of names) {
      const profile = config.profiles[name];
      const note =
        name !== selected
          ? ''
          : fromEnv
            ? ' (selected by STS_PROFILE)'
            : ' (used when no --profile or STS_PROFILE is given)';
      lines.push(`${name}${note}`);
      const rows: [string, string][] = [];
      if (profile.local) rows.push(['local', `yes, broker data in ${profile.dataDir ?? resolve(DEFAULT_DATA_DIR)}`]);
      for (const [field, label] of labels) {
        const value = profile[field];
        if (typeof value === 'string') rows.push([label, value]);
      }
      if (!profile.local && profile.dataDir) rows.push(['data dir', profile.dataDir]);
      if (rows.length === 0) rows.push(['(empty)', '']);
      for (const [label, value] of rows) lines.push(`  ${label.padEnd(14)} ${value}`.trimEnd());
      lines.push('');
    }
    this.out(lines.join('\n'));
    return 0;
  }
}
