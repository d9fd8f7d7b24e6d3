/** `sts configure`: write a named profile of the CLI's config file. */
import { Command, Option } from 'clipanion';
import { BaseCommand } from '../base-command.js';
import { configPath, DEFAULT_PROFILE, type Profile, saveProfile } from '../settings.js';

/** Saves endpoint, issuer, account, role and approver defaults under a profile name. */
export class ConfigureCommand extends BaseCommand {
  static paths = [['configure']];
  static usage = Command.Usage({
    category: 'Setup',
    description: 'Save defaults (endpoint, issuer, account, role, approver) as a named profile',
    details: `
      Writes \`$XDG_CONFIG_HOME/stsftw/config.json\` (else \`~/.config/stsftw/config.json\`), mode 0600. Only the fields given change; other profiles stay. Every command reads the profile named by \`--profile\` / STS_PROFILE (default "default"); flags and STS_* variables still win over it.

      With \`--from-stack NAME\` the endpoint comes from the deployed stack's \`Endpoint\` output (CloudFormation DescribeStacks with your AWS credentials; \`--region\` or AWS_REGION names the region). People without AWS access use \`--endpoint\`.
    `,
    examples: [
      [
        'The default profile',
        '$0 configure --endpoint https://sts.example.com --issuer acme --account-name alice --role admin',
      ],
      ['A second profile', '$0 configure --profile staging --endpoint https://sts.staging.example.com'],
      [
        'From the deployed stack',
        '$0 configure --from-stack stsftw --region eu-west-1 --issuer acme --account-name alice',
      ],
    ],
  });

  // Redeclared without the STS_* bindings: configure saves what is typed, not the current environment.
  endpoint = Option.String('--endpoint', { description: 'Broker URL' });
  issuer = Option.String('--issuer', { description: 'Issuer (TOTP issuer / team name)' });
  accountName = Option.String('--account-name', { description: 'Your account name' });
  profile = Option.String('--profile', { description: 'Profile to write (default "default")' });
  role = Option.String('--role', { description: 'Default role' });
  secondaryAuthorizer = Option.String('--secondary-authorizer', { description: 'Default approver to ask' });
  fromStack = Option.String('--from-stack', {
    description: "Take the endpoint from this deployed stack's Endpoint output (needs AWS credentials)",
  });
  region = Option.String('--region', { env: 'AWS_REGION', description: 'Region of --from-stack (env AWS_REGION)' });

  protected async run(): Promise<number> {
    const name = this.profile ?? DEFAULT_PROFILE;
    if (this.fromStack && this.endpoint) {
      this.info('sts: give --endpoint or --from-stack, not both.');
      return 64;
    }
    let endpoint = this.endpoint;
    if (this.fromStack) {
      const { stackEndpoint } = await import('../stack-outputs.js');
      endpoint = await stackEndpoint(this.fromStack, this.region);
    }
    const changes: Profile = {
      endpoint,
      issuer: this.issuer,
      accountName: this.accountName,
      role: this.role,
      secondaryAuthorizer: this.secondaryAuthorizer,
    };
    if (changes.endpoint) {
      try {
        new URL(changes.endpoint);
      } catch {
        this.info(`sts: "${changes.endpoint}" is not a URL: pass --endpoint like https://sts.example.com.`);
        return 64;
      }
    }
    if (Object.values(changes).every((value) => value === undefined)) {
      this.info(
        `Nothing to change: give at least one of --endpoint, --issuer, --account-name, --role, --secondary-authorizer. Config file: ${configPath(this.context.env)}`,
      );
      return 64;
    }
    const path = saveProfile(this.context.env, name, changes);
    if (this.json) this.out(JSON.stringify({ profile: name, path }));
    else this.out(`Saved profile ${name} in ${path}.`);
    return 0;
  }
}
