/** The public HTTP API in front of the API function. */
import { Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** Props of {@link Api}. */
export interface ApiProps {
  appName: string;
  handler: lambda.IFunction;
  logRetentionDays: number;
  /** True when a custom domain serves the API: the `execute-api` address is then switched off. */
  disableDefaultEndpoint?: boolean;
}

/**
 * Requests per second and burst for the whole stage. A credential broker sees a handful of requests a
 * minute; the cap bounds the cost of a flood and slows guessing beyond what the per-account lockout does.
 */
export const API_THROTTLE = { rateLimit: 20, burstLimit: 40 };

/**
 * An HTTP API whose `$default` route sends everything to the Hono app (which owns routing, validation
 * and the 1.0-compatible `POST /`). No API Gateway authorizer: every call that matters carries a TOTP
 * code the app checks. Access logs hold request metadata only, never bodies or headers.
 */
export class Api extends Construct {
  readonly httpApi: apigwv2.HttpApi;
  readonly stage: apigwv2.HttpStage;
  /** `https://<id>.execute-api.<region>.amazonaws.com`; undefined when that address is switched off. */
  readonly url?: string;

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);
    this.httpApi = new apigwv2.HttpApi(this, 'HttpApi', {
      apiName: `${props.appName}-api`,
      description: 'stsftw credential broker',
      defaultIntegration: new HttpLambdaIntegration('Broker', props.handler, {
        payloadFormatVersion: apigwv2.PayloadFormatVersion.VERSION_2_0,
      }),
      createDefaultStage: false,
      disableExecuteApiEndpoint: props.disableDefaultEndpoint ?? false,
    });
    const accessLogs = new logs.LogGroup(this, 'AccessLogs', { retention: props.logRetentionDays });
    this.stage = new apigwv2.HttpStage(this, 'Stage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: API_THROTTLE,
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(accessLogs),
        format: apigw.AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            ip: '$context.identity.sourceIp',
            time: '$context.requestTime',
            method: '$context.httpMethod',
            path: '$context.path',
            status: '$context.status',
            length: '$context.responseLength',
            latency: '$context.responseLatency',
            integrationError: '$context.integrationErrorMessage',
          }),
        ),
      },
    });
    if (!props.disableDefaultEndpoint) this.url = this.httpApi.apiEndpoint;

    Validations.of(this.httpApi).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        'Callers authenticate inside the app with TOTP codes (requester and approver); without a valid code a caller learns nothing but sealed ciphertext.',
    });
  }
}
