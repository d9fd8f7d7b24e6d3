/**
 * CDK entry (`cdk.json`: `npx tsx infra/app.ts`): reads and validates the configuration (config file,
 * then context), then builds the broker stack. Invalid configuration stops here with one sentence.
 */
import { App } from 'aws-cdk-lib';
import { addBrokerStack } from './broker-app.js';
import { ConfigError, type InfraConfig, parseConfig } from './config.js';
import { readConfigInput } from './config-sources.js';

const app = new App();
let config: InfraConfig;
try {
  config = parseConfig(readConfigInput((key) => app.node.tryGetContext(key), process.cwd()));
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`Invalid stsftw configuration: ${error.message}\n`);
  process.exit(1);
}
addBrokerStack(app, config, { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION });
app.synth();
