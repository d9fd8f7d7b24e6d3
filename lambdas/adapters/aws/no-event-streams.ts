/**
 * What the Lambda bundles use in place of `@smithy/core/event-streams` (`lambdaAliases` in
 * infra/bundling.ts). The SDK loads that module only for operations with an event stream member; none of
 * the operations the broker calls has one (DynamoDB items, KMS Encrypt/Decrypt, Step Functions executions
 * and task tokens, SNS Publish, STS AssumeRole), yet it would add about 20 KB to each bundle. Should one
 * ever be called, this says so instead of failing obscurely. Static imports of any other name fail the build.
 */
function unsupported(): never {
  throw new Error(
    'This Lambda bundle leaves out the SDK event-stream support (infra/bundling.ts, lambdaAliases): no operation the broker calls uses event streams.',
  );
}

/** Stands in for the marshaller factory `HttpProtocol.loadEventStreamCapability` asks for first. */
export const eventStreamSerdeProvider = unsupported;

/** Stands in for the serde class of the same import. */
export class EventStreamSerde {
  constructor() {
    unsupported();
  }
}
