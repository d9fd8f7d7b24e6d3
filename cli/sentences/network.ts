/**
 * What the CLI says when the broker cannot be talked to, per reason (`NetworkFailure`), and with which exit
 * code: 75 (try again later) while throttled, else 69 (unavailable).
 */
import { CliError, ExitCode, type NetworkError } from '../errors.js';

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** The sentence for a transport failure or a non-broker answer. */
export function networkSentence(e: NetworkError): string {
  const at = `the broker at ${e.endpoint}`;
  switch (e.reason) {
    case 'refused':
      return `Cannot reach ${at} (connection refused): check --endpoint / STS_ENDPOINT, or start a local broker with \`sts server\`.`;
    case 'dns':
      return `Cannot resolve the host of ${at}: check --endpoint / STS_ENDPOINT and your network.`;
    case 'timeout':
      return `${capitalise(at)} did not answer in time: check your network or VPN, then retry.`;
    case 'tls':
      return `The TLS connection to ${at} failed (${e.detail}): check the endpoint's certificate and any proxy in between.`;
    case 'unavailable':
      return `${capitalise(at)} is unavailable (${e.detail}): retry in a moment; if it persists, check the deployment.`;
    case 'throttled':
      return `${capitalise(at)} is throttling requests (${e.detail}): wait a minute and retry; if it keeps happening, too many clients share the API's rate limit.`;
    case 'not_broker':
      return `${capitalise(at)} did not answer like an stsftw broker (${e.detail}): check --endpoint / STS_ENDPOINT.`;
    default:
      return `Cannot talk to ${at}${e.detail ? ` (${e.detail})` : ''}: check --endpoint / STS_ENDPOINT and your network.`;
  }
}

/** 75 while throttled (worth another try soon), else 69. */
export function networkExitCode(e: NetworkError): number {
  return e.reason === 'throttled' ? ExitCode.tempFail : ExitCode.unavailable;
}

/** A call that stayed busy (throttled, or failing in front of the broker) through all its attempts. */
export function gaveUp(e: NetworkError, attempts: number): CliError {
  const at = `The broker at ${e.endpoint}`;
  if (e.reason === 'throttled') {
    return new CliError(
      `${at} is throttling requests (${e.detail}) and still was after ${attempts} tries: wait a minute, then run the command again.`,
      ExitCode.tempFail,
    );
  }
  return new CliError(
    `${at} kept failing (${e.detail}) after ${attempts} tries: retry in a moment; if it persists, check the deployment and the broker's logs.`,
    networkExitCode(e),
  );
}
