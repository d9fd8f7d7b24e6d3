/**
 * Injected into each Lambda bundle (`lambdaBundling.inject` in infra/bundling.ts). The bundles are minified
 * without `keepNames` (which costs each about 20–29 KB), so class names become short identifiers. The SDK
 * reads one class name at run time: it tells its silent default logger apart by
 * `logger.constructor.name === 'NoOpLogger'` (the user-agent app id and deserialization warnings go to
 * `console` then, and the HTTP handler is not given the logger). Restoring that one name keeps those
 * branches as in the sources. Our own errors set `name` explicitly (core/errors.ts).
 */
import { NoOpLogger } from '@smithy/core/client';

Object.defineProperty(NoOpLogger, 'name', { value: 'NoOpLogger' });
