/**
 * Why the embedded broker could not start: a sentence for the person who started it (`sts server`, `npm
 * start`) that says what to do, and the exit code the command returns. Not an API error: it never reaches
 * HTTP, so it has no status (and the CLI adds no API hint after it).
 */
export class StartupError extends Error {
  /** Stable code: `broker_running`, `port_unavailable`, `data_dir_unsafe`, `socket_path_too_long`, `no_aws_credentials`. */
  readonly code: string;
  readonly exitCode: number;
  constructor(code: string, message: string, exitCode = 1) {
    super(message);
    this.name = 'StartupError';
    this.code = code;
    this.exitCode = exitCode;
  }
}

/** Another live broker owns the data dir (its server.json names a live process, or its socket answers). */
export class BrokerRunningError extends StartupError {
  constructor(message: string) {
    super('broker_running', message);
    this.name = 'BrokerRunningError';
  }
}
