/**
 * The modules the Lambda bundles use in place of SDK code (infra/bundling.ts): each keeps what the SDK
 * clients call while building, and refuses loudly what the broker never does.
 */
import { describe, expect, it } from 'vitest';
import {
  getEndpointDiscoveryPlugin,
  NODE_ENDPOINT_DISCOVERY_CONFIG_OPTIONS,
  resolveEndpointDiscoveryConfig,
} from '../../../../lambdas/adapters/aws/no-endpoint-discovery.js';

const refusal = /leaves out DynamoDB endpoint discovery/;

describe('no-endpoint-discovery', () => {
  it('gives a client the discovery fields, off, without building a cache', async () => {
    const provider = async () => undefined;
    const config = resolveEndpointDiscoveryConfig(
      { endpointDiscoveryEnabledProvider: provider },
      { endpointDiscoveryCommandCtor: 'ctor' },
    );
    expect(config.endpointDiscoveryCommandCtor).toBe('ctor');
    expect(config.isClientEndpointDiscoveryEnabled).toBe(false);
    expect(config.endpointDiscoveryEnabled).toBe(provider);
    expect(() => config.endpointCache.getEndpoint()).toThrow(refusal);
    const off = resolveEndpointDiscoveryConfig(
      { endpointDiscoveryEnabled: false },
      { endpointDiscoveryCommandCtor: 0 },
    );
    expect(await off.endpointDiscoveryEnabled?.()).toBe(false);
  });

  it('refuses a client that turns discovery on, reading the setting, and the middleware', () => {
    expect(() =>
      resolveEndpointDiscoveryConfig({ endpointDiscoveryEnabled: true }, { endpointDiscoveryCommandCtor: 0 }),
    ).toThrow(refusal);
    expect(() => NODE_ENDPOINT_DISCOVERY_CONFIG_OPTIONS.environmentVariableSelector()).toThrow(refusal);
    expect(() => NODE_ENDPOINT_DISCOVERY_CONFIG_OPTIONS.configFileSelector()).toThrow(refusal);
    expect(() => getEndpointDiscoveryPlugin()).toThrow(refusal);
  });
});
