/**
 * What the Lambda bundles use in place of `@aws-sdk/credential-provider-node` (`lambdaAliases` in
 * infra/bundling.ts): the environment's credentials only. Lambda always sets AWS_ACCESS_KEY_ID,
 * AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN for the function's role, so the default chain's other links
 * (SSO, INI files, credential_process, web identity, container and instance metadata) never run there, yet
 * bundling them costs each function about a quarter of its code (their SSO and STS clients included).
 * The exports keep the replaced module's names, which the SDK clients' runtime configuration imports.
 * Missing variables fail the first AWS call with the SDK's own CredentialsProviderError.
 */
import { fromEnv } from '@aws-sdk/credential-provider-env';

/** The credentials `fromEnv` resolves to. */
type Credentials = Awaited<ReturnType<ReturnType<typeof fromEnv>>>;

/** The clients' default credentials: `fromEnv`, with the chain's signature. */
export const defaultProvider = (init: Parameters<typeof fromEnv>[0] = {}): ReturnType<typeof fromEnv> => fromEnv(init);

/** As in the replaced module: credentials with an expiration are refreshed. */
export const credentialsWillNeedRefresh = (credentials: Credentials): boolean => credentials?.expiration !== undefined;

/** As in the replaced module: five minutes before their expiration, credentials count as expired. */
export const credentialsTreatedAsExpired = (credentials: Credentials): boolean =>
  credentials?.expiration !== undefined && credentials.expiration.getTime() - Date.now() < 300_000;
