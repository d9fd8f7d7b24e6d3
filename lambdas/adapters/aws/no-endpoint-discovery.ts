/**
 * What the Lambda bundles use in place of `@aws-sdk/middleware-endpoint-discovery` (`lambdaAliases` in
 * infra/bundling.ts). Only the DynamoDB client imports it, and in the SDK version we bundle no DynamoDB
 * command adds the discovery middleware: the client merely builds an LRU endpoint cache (with the
 * `mnemonist` and `obliterator` packages, about 9 KB of each bundle) that nothing reads. The broker never
 * turns discovery on. Should anything ever use it (a newer SDK, `endpointDiscoveryEnabled: true`, the
 * cache read), this throws instead of quietly calling the regional endpoint.
 */

function unsupported(): never {
  throw new Error(
    'This Lambda bundle leaves out DynamoDB endpoint discovery (infra/bundling.ts, lambdaAliases): the broker never enables it.',
  );
}

/** The replaced module's endpoint cache, every method refusing. */
class NoEndpointCache {
  getEndpoint(): never {
    unsupported();
  }
  set(): never {
    unsupported();
  }
  delete(): never {
    unsupported();
  }
  has(): never {
    unsupported();
  }
  clear(): never {
    unsupported();
  }
}

interface DiscoveryInput {
  endpointDiscoveryEnabled?: boolean;
  endpointDiscoveryEnabledProvider?: () => Promise<boolean | undefined>;
}

/**
 * As in the replaced module, less the cache: the client's configuration gains the discovery fields.
 * A client constructed with `endpointDiscoveryEnabled: true` is refused at once.
 */
export function resolveEndpointDiscoveryConfig<T extends DiscoveryInput>(
  input: T,
  { endpointDiscoveryCommandCtor }: { endpointDiscoveryCommandCtor: unknown },
) {
  const { endpointDiscoveryEnabled, endpointDiscoveryEnabledProvider } = input;
  if (endpointDiscoveryEnabled === true) unsupported();
  return Object.assign(input, {
    endpointDiscoveryCommandCtor,
    endpointCache: new NoEndpointCache(),
    endpointDiscoveryEnabled:
      endpointDiscoveryEnabled !== undefined
        ? () => Promise.resolve(endpointDiscoveryEnabled)
        : endpointDiscoveryEnabledProvider,
    isClientEndpointDiscoveryEnabled: endpointDiscoveryEnabled !== undefined,
  });
}

/**
 * The setting's loader (environment, config file) as the client's runtime configuration asks for it: only
 * the discovery middleware would read it, so reading it at all refuses.
 */
export const NODE_ENDPOINT_DISCOVERY_CONFIG_OPTIONS = {
  environmentVariableSelector: unsupported,
  configFileSelector: unsupported,
  default: undefined,
};

/** The middleware's plugins: a command adding one is refused when it is constructed. */
export const getEndpointDiscoveryPlugin = unsupported;
export const getEndpointDiscoveryRequiredPlugin = unsupported;
export const getEndpointDiscoveryOptionalPlugin = unsupported;
export const endpointDiscoveryMiddlewareOptions = {
  name: 'endpointDiscoveryMiddleware',
  step: 'build',
  tags: ['ENDPOINT_DISCOVERY'],
  override: true,
};
