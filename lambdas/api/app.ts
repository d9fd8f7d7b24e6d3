/**
 * The HTTP API (DESIGN.md §4) as a Hono app. The same app runs on Lambda (`hono/aws-lambda`) and in the
 * embedded broker (`@hono/node-server`); it only validates, calls the broker and maps errors.
 */

import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { AppError } from '../core/errors.js';
import { Hono } from './hono.js';
import { type LegacyRouteOptions, legacyRoute } from './legacy-route.js';
import {
  type AllowedHosts,
  hostAllowlist,
  isClientAbort,
  type LogFn,
  requestLog,
  securityHeaders,
  wrapNonErrors,
} from './middleware.js';
import { approvalPageRoutes } from './page/routes.js';
import { isPublicCode, PayloadTooLargeError, problemResponse } from './problem.js';
import { type Broker, requestRoutes } from './requests-routes.js';

/** Largest accepted request body. */
export const MAX_BODY_BYTES = 16 * 1024;

/** What the app needs: the broker's use cases and, optionally, where to write log lines (default: stdout). */
export interface AppDeps {
  broker: Broker;
  log?: LogFn;
  /** STSFTW 1.0's `POST /`: how long it waits for the workflow (tests also inject time). */
  legacy?: LegacyRouteOptions;
  /** `Host` values (`name:port`) to answer; others get 421. The embedded broker's guard against DNS rebinding. */
  allowedHosts?: AllowedHosts;
  /** The time the approval page shows deadlines against (default: the system clock). */
  now?: () => number;
}

const defaultLog: LogFn = (line) => console.log(JSON.stringify(line));

/** Builds the API. */
export function createApp(deps: AppDeps) {
  const log = deps.log ?? defaultLog;
  const app = new Hono();

  app.use(requestLog(log), ...securityHeaders(), wrapNonErrors);
  if (deps.allowedHosts) app.use(hostAllowlist(deps.allowedHosts));
  const limitBody = bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: () => {
      throw new PayloadTooLargeError(MAX_BODY_BYTES);
    },
  });
  // A GET has no body to limit; asking for one would make @hono/node-server build a full Request (and an
  // AbortController) for every status read.
  app.use((c, next) => (c.req.method === 'GET' || c.req.method === 'HEAD' ? next() : limitBody(c, next)));

  const v1 = new Hono()
    .get('/health', (c) => c.json({ status: 'ok' }, 200))
    .route('/requests', requestRoutes(deps.broker));
  app.route('/v1', v1);
  // The approval page (issue 10 §2): the same decisions for an approver with only a browser.
  app.route('/approve', approvalPageRoutes({ broker: deps.broker, now: deps.now }));
  // STSFTW 1.0 clients POST their single-call body to the root (docs/api-v1-compat.md).
  app.route('/', legacyRoute(deps.broker, log, deps.legacy));

  app.notFound((c) => problemResponse(c, 404, 'not_found', 'No such resource.'));

  app.onError((err, c) => {
    // The client hung up mid-body: nothing broke, nobody reads this answer, requestLog logs "request aborted".
    if (isClientAbort(err, c)) return problemResponse(c, 400, 'invalid_request', 'The request body was cut off.');
    if (err instanceof AppError && isPublicCode(err.code) && err.status < 500) {
      return problemResponse(c, err.status, err.code, err.message);
    }
    // Hono's own client errors (none expected, but never let one become a 500).
    if (err instanceof HTTPException && err.status < 500) {
      return problemResponse(c, err.status, 'invalid_request', 'The request is not valid.');
    }
    // Everything else is a bug or an outage: full detail for the operator, nothing for the client.
    log({
      level: 'error',
      msg: 'unhandled error',
      method: c.req.method,
      path: c.req.path,
      error: { name: err.name, message: err.message, code: (err as Partial<AppError>).code, stack: err.stack },
    });
    return problemResponse(c, 500, 'internal', 'Internal error.');
  });

  return app;
}
