/** The KMS key that encrypts TOTP secrets in the auth table. */
import { RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { DECOY_CONTEXT } from '../../lambdas/core/authenticator.js';
import { rotatingKey } from './rotating-key.js';

/** Props of {@link SecretsKey}. */
export interface SecretsKeyProps {
  /** Prefix of the alias (`alias/<appName>-totp-secrets`). */
  appName: string;
}

/**
 * A symmetric key with yearly rotation, retained on stack deletion (losing it loses every enrollment).
 * Every secret is encrypted with the encryption context `{issuer, account_name}`, so decrypt grants
 * require exactly that context: a ciphertext copied into another entry, or any other use of the key, fails.
 */
export class SecretsKey extends Construct {
  readonly key: kms.Key;
  readonly alias: kms.Alias;

  constructor(scope: Construct, id: string, props: SecretsKeyProps) {
    super(scope, id);
    this.key = rotatingKey(
      this,
      `${props.appName}: encrypts enrolled TOTP secrets (context issuer + account_name)`,
      RemovalPolicy.RETAIN,
    );
    this.alias = this.key.addAlias(`alias/${props.appName}-totp-secrets`);
  }

  /** Allows `kms:Decrypt` with this key, only for ciphertexts bound to an `{issuer, account_name}` context. */
  grantDecrypt(grantee: iam.IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['kms:Decrypt'],
        resources: [this.key.keyArn],
        conditions: {
          'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': ['issuer', 'account_name'] },
          // ForAllValues is also true for an empty context; these make both keys mandatory.
          Null: { 'kms:EncryptionContext:issuer': 'false', 'kms:EncryptionContext:account_name': 'false' },
        },
      }),
    );
  }

  /**
   * Allows `kms:Encrypt` with this key under the decoy context only (docs/design.md, "§6 timing"): a code for
   * an unknown account is checked against a decoy secret the function makes once per cold start, so the
   * answer takes as long as for a known account. Nothing else can be encrypted: not a real entry's secret.
   */
  grantDecoyEncrypt(grantee: iam.IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['kms:Encrypt'],
        resources: [this.key.keyArn],
        conditions: {
          'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': ['issuer', 'account_name'] },
          StringEquals: {
            'kms:EncryptionContext:issuer': DECOY_CONTEXT.issuer,
            'kms:EncryptionContext:account_name': DECOY_CONTEXT.account_name,
          },
        },
      }),
    );
  }
}
