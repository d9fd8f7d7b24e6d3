/** `/v1/requests`: create a credential request, read it, approve it, deny it. One core call per handler. */

import type { Broker } from '../core/broker.js';
import { MAX_REASON_LENGTH } from '../core/text.js';
import { Hono } from './hono.js';
import { jsonBody, requestIdParam } from './middleware.js';
import { bounds, integer, optional, parseWaitQuery, string } from './validation.js';

export type { Broker };

/**
 * Sent with every answer to a waiting read (`?wait=S&status=X[&approvals=N]`): the seconds this broker was prepared to
 * wait (S capped by its configuration; 0: it does not wait). A broker from before long-polls ignores the
 * parameters and never sends it, which is how a client knows to poll instead.
 */
export const WAIT_HEADER = 'Sts-Wait';

// Sanity limits; the domain rules (name syntax, 6-digit codes, 900–3600 s, key length) live in core.
const { name: NAME, role: ROLE, code: CODE } = bounds;
const PUBLIC_KEY = 128; // base64url of 32 bytes is 43 characters
// Core's limit is in code points: twice as many UTF-16 units covers any reason core may accept.
const REASON = 2 * MAX_REASON_LENGTH;

const createShape = {
  issuer: string(NAME),
  accountName: string(NAME),
  role: string(ROLE),
  totpCode: string(CODE),
  publicKey: string(PUBLIC_KEY),
  secondaryAccountName: optional(string(NAME)),
  secondaryTotpCode: optional(string(CODE)),
  durationSeconds: optional(integer()),
  reason: optional(string(REASON, 0)),
};
const approveShape = { accountName: string(NAME), totpCode: string(CODE) };
const denyShape = { ...approveShape, reason: optional(string(REASON, 0)) };

/** The routes under `/v1/requests`. */
export function requestRoutes(broker: Broker) {
  return new Hono()
    .post('/', jsonBody(createShape), async (c) => c.json(await broker.createRequest(c.req.valid('json')), 202))
    .get('/:id', requestIdParam, async (c) => {
      const { id } = c.req.valid('param');
      const wait = parseWaitQuery({
        wait: c.req.queries('wait'),
        status: c.req.queries('status'),
        approvals: c.req.queries('approvals'),
      });
      if (!wait) return c.json(await broker.getRequest(id), 200);
      const seconds = Math.min(wait.seconds, broker.maxWaitSeconds);
      // Aborted by @hono/node-server when the client goes away (never on Lambda, where nobody can hang up early).
      const view = await broker.getRequest(id, { ...wait, seconds, signal: c.req.raw.signal });
      return c.json(view, 200, { [WAIT_HEADER]: String(seconds) });
    })
    .post('/:id/approve', requestIdParam, jsonBody(approveShape), async (c) =>
      c.json(await broker.approve(c.req.valid('param').id, c.req.valid('json')), 200),
    )
    .post('/:id/deny', requestIdParam, jsonBody(denyShape), async (c) =>
      c.json(await broker.deny(c.req.valid('param').id, c.req.valid('json')), 200),
    );
}
