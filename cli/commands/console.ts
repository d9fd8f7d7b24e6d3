/** `sts console` (alias `sts login`): sign in to the AWS console with the role's credentials. */
import { Command, Option } from 'clipanion';
import * as t from 'typanion';
import { CliError } from '../errors.js';
import { ObtainCommand } from '../obtain-command.js';

/** The prefix of the embedded broker's access key ids (lambdas/adapters/local/local-minter.ts, not loaded here). */
const LOCAL_ACCESS_KEY_PREFIX = 'ASIALOCAL';

/** Credentials like `sts exec` (cache, else a new request) → a console sign-in URL, opened or printed. */
export class ConsoleCommand extends ObtainCommand {
  static paths = [['console']];
  static usage = Command.Usage({
    category: 'Requester',
    description: 'Open the AWS console signed in as the role (alias: sts login)',
    details: `
      Gets credentials like \`sts exec\` (the cached ones of the profile while they stay valid for five more minutes, else a new request), exchanges them at AWS's federation endpoint for a sign-in token, and opens the console in your browser (\`$BROWSER\`, else xdg-open, open or the Windows URL handler). The console session lasts as long as the credentials.

      The page is the console home of \`--region\` (default: the profile's region, then AWS_REGION / AWS_DEFAULT_REGION, then us-east-1); \`--service s3\` opens that service's home, \`--destination URL\` any console page. The region also picks the partition: cn-* signs in at amazonaws.cn, us-gov-* at amazonaws-us-gov.com.

      The URL signs in whoever opens it during the next 15 minutes: \`--print-url\` prints it on stdout instead of opening it; do not paste it anywhere others can read it. When no browser can be started the URL is printed, with a sentence saying so. Credentials of the embedded broker (\`--local\`) are not valid on AWS and are refused.
    `,
    examples: [
      ['Open the console as admin', '$0 console --role admin'],
      ['The S3 console in Frankfurt', '$0 console --role admin --service s3 --region eu-central-1'],
      ['Print the URL instead (a secret for 15 minutes)', '$0 console --role admin --print-url'],
    ],
  });

  region = Option.String('--region', {
    description: "Console region; also picks the partition (default: the profile's region, AWS_REGION, us-east-1)",
    validator: t.cascade(t.isString(), t.matchesRegExp(/^[a-z0-9-]{1,32}$/)),
  });
  service = Option.String('--service', {
    description: 'Open this service’s console home, e.g. s3, ec2, iam',
    validator: t.cascade(t.isString(), t.matchesRegExp(/^[a-z0-9-]{1,64}$/)),
  });
  destination = Option.String('--destination', { description: 'Open this console URL (https) instead' });
  printUrl = Option.Boolean('--print-url', false, {
    description: 'Print the sign-in URL instead of opening a browser (it signs anyone in for 15 minutes)',
  });

  protected override validate(): void {
    if (this.service && this.destination) {
      throw new CliError('Give --service or --destination, not both: --destination already names the page.');
    }
    if (this.destination !== undefined && !/^https:\/\/[^\s/]+/.test(this.destination)) {
      throw new CliError(
        `--destination must be an https:// console URL (got ${JSON.stringify(this.destination.slice(0, 80))}).`,
      );
    }
  }

  protected async run(): Promise<number> {
    this.requireSettings('endpoint', 'issuer', 'accountName', 'role'); // their sentence first, before any import
    const region = this.consoleRegion();
    const { destinationUrl, federationUrl, loginUrl, requestSigninToken } = await import('../console-url.js');
    const endpoint = federationUrl(region, this.context.env); // refused overrides cost no code
    const credentials = await this.obtain({ useCache: true, notice: (text) => this.info(text) });
    if (credentials.AccessKeyId.startsWith(LOCAL_ACCESS_KEY_PREFIX)) {
      throw new CliError(
        'These credentials come from the embedded broker (`sts server`): they are not valid on AWS, so they cannot sign in to the console. Use a broker deployed on AWS.',
      );
    }
    const token = await requestSigninToken(credentials, endpoint, this.context.fetch);
    const url = loginUrl(endpoint, destinationUrl(region, this), token);
    if (this.printUrl) {
      this.out(url);
      return 0;
    }
    const { openInBrowser } = await import('../browser.js');
    const opened = await openInBrowser(url, this.context.env);
    if (opened.failure) {
      this.info(
        `Cannot open a browser (${opened.opener}: ${opened.failure}). Open this URL yourself within 15 minutes; it signs in whoever opens it, so keep it to yourself:`,
      );
      this.out(url);
      return 0;
    }
    this.info(`Opened the console with ${opened.opener} (expires ${credentials.Expiration}).`);
    return 0;
  }

  /** `--region`, the profile's, the environment's, else us-east-1. */
  private consoleRegion(): string {
    const { AWS_REGION, AWS_DEFAULT_REGION } = this.context.env;
    return this.region || this.settings().region || AWS_REGION || AWS_DEFAULT_REGION || 'us-east-1';
  }
}

/** `sts login`: aws-vault's name for `sts console`. */
export class LoginCommand extends ConsoleCommand {
  static override paths = [['login']];
  static override usage = Command.Usage({
    category: 'Requester',
    description: 'Same as `sts console` (the name aws-vault uses)',
    details: `
      Exactly \`sts console\`: the same options, the same URL (a secret for 15 minutes). See \`sts console --help\`.
    `,
    examples: [
      ['Open the console as admin', '$0 login --role admin'],
      ['Print the URL instead', '$0 login --role admin --print-url'],
    ],
  });
}
