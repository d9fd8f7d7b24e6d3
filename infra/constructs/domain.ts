/** Optional custom domain for the API: ACM certificate (DNS-validated) and Route 53 alias records. */
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as apigwv2Lib from 'aws-cdk-lib/aws-apigatewayv2';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as targets from 'aws-cdk-lib/aws-route53-targets';
import { Construct } from 'constructs';
import type { DomainConfig } from '../config.js';

/** Props of {@link Domain}. */
export interface DomainProps extends DomainConfig {
  httpApi: apigwv2.IHttpApi;
  stage: apigwv2.IHttpStage;
}

/**
 * Serves the API at `https://<domainName>` (as STSFTW 1.0 did): the certificate is validated through a
 * record in the given hosted zone, the API is mapped at the root, and an A alias points at it.
 * The zone is referenced by id, not looked up, so synthesis stays offline.
 */
export class Domain extends Construct {
  readonly domainName: apigwv2.DomainName;
  readonly url: string;

  constructor(scope: Construct, id: string, props: DomainProps) {
    super(scope, id);
    const zone = route53.HostedZone.fromHostedZoneAttributes(this, 'Zone', {
      hostedZoneId: props.hostedZoneId,
      zoneName: props.hostedZoneName,
    });
    const certificate = new acm.Certificate(this, 'Certificate', {
      domainName: props.domainName,
      validation: acm.CertificateValidation.fromDns(zone),
    });
    this.domainName = new apigwv2Lib.DomainName(this, 'DomainName', {
      domainName: props.domainName,
      certificate,
      securityPolicy: apigwv2Lib.SecurityPolicy.TLS_1_2,
    });
    new apigwv2Lib.ApiMapping(this, 'Mapping', { api: props.httpApi, domainName: this.domainName, stage: props.stage });
    const target = route53.RecordTarget.fromAlias(
      new targets.ApiGatewayv2DomainProperties(
        this.domainName.regionalDomainName,
        this.domainName.regionalHostedZoneId,
      ),
    );
    new route53.ARecord(this, 'Alias', { zone, recordName: `${props.domainName}.`, target });
    this.url = `https://${props.domainName}`;
  }
}
