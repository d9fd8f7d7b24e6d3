/** Puts the broker stack into an App the same way for `cdk synth` and for the tests. */
import { type App, type Environment, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { InfraConfig } from './config.js';
import { BrokerStack } from './stack.js';

/**
 * Adds the broker stack (named after `config.appName`) and cdk-nag's AWS Solutions checks, so a finding
 * without a justified suppression fails synthesis.
 * @param fallbackEnv account and region used where the configuration names none (the CLI's defaults).
 */
export function addBrokerStack(app: App, config: InfraConfig, fallbackEnv: Environment = {}): BrokerStack {
  const stack = new BrokerStack(app, config.appName, {
    description: 'stsftw: self-hosted AWS credential broker (TOTP, multi-party approval, short-lived STS credentials)',
    env: { account: config.account ?? fallbackEnv.account, region: config.region ?? fallbackEnv.region },
    config,
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return stack;
}
