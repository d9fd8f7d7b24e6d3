/** API Lambda entry: the Hono app behind a Function URL / HTTP API. Wiring only. */
import { handle } from 'hono/aws-lambda';
import { createApp } from '../api/app.js';
import { createBroker } from '../core/broker.js';
import { brokerDeps } from './deps.js';

export const handler = handle(createApp({ broker: createBroker(brokerDeps()) }));
