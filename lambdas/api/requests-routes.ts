/** `/v1/requests`: create a credential request, read it, approve it, deny it. One core call per handler. */
import { Hono } from 'hono';
import type { Broker } from '../core/broker.js';
import { MAX_REASON_LENGTH } from '../core/text.js';
import { jsonBody, requestIdParam } from './middleware.js';
import { bounds, integer, optional, string } from './validation.js';

export type { Broker };

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
    .get('/:id', requestIdParam, async (c) => c.json(await broker.getRequest(c.req.valid('param').id), 200))
    .post('/:id/approve', requestIdParam, jsonBody(approveShape), async (c) =>
      c.json(await broker.approve(c.req.valid('param').id, c.req.valid('json')), 200),
    )
    .post('/:id/deny', requestIdParam, jsonBody(denyShape), async (c) =>
      c.json(await broker.deny(c.req.valid('param').id, c.req.valid('json')), 200),
    );
}
