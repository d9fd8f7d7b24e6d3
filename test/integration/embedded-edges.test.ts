/**
 * The embedded broker's HTTP edge over real sockets: clients that hang up mid-body, and Host headers that
 * name anything but this broker (DNS rebinding: a web page whose name resolves to 127.0.0.1).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedBroker, startEmbedded } from '../../lambdas/adapters/local/embedded.js';

let dataDir: string;
let broker: EmbeddedBroker;
let port: number;
const logs: Record<string, unknown>[] = [];

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'stsftw-edges-'));
  broker = await startEmbedded({
    dataDir,
    port: 0,
    approvalTimeoutSeconds: 900,
    minter: 'local',
    log: (line) => logs.push(line as Record<string, unknown>),
    print: () => {},
  });
  port = Number(new URL(broker.info.endpoint).port);
});
afterAll(async () => {
  await broker?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** Sends `head` and part of a body on a raw socket, then destroys the socket without reading an answer. */
async function hangUpMidBody(head: string, partialBody: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(`${head}\r\n\r\n${partialBody}`, () => {
        // Give the server the head and the partial body before the connection goes.
        setTimeout(() => {
          socket.destroy();
          resolve();
        }, 100);
      });
    });
    socket.once('error', reject);
  });
}

/** The log lines about `path` once one of them is about its end (bounded by a number of polls). */
async function linesAbout(path: string, from: number): Promise<Record<string, unknown>[]> {
  for (let i = 0; i < 200; i++) {
    const lines = logs.slice(from).filter((line) => line.path === path);
    if (lines.some((line) => line.msg === 'request' || line.msg === 'request aborted')) {
      // Anything the error handler would add is written before the request line; a little slack for order.
      await new Promise((r) => setTimeout(r, 50));
      return logs.slice(from).filter((line) => line.path === path);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`no log line about ${path}: ${JSON.stringify(logs.slice(from))}`);
}

/** A request with the Host header set by hand (fetch does not let a caller forge it). */
function withHost(host: string, path = '/v1/health'): Promise<{ status: number; type: string; body: any }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { Host: host } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body: JSON.parse(text) });
      });
    });
    req.once('error', reject);
    req.end();
  });
}

describe('a client that hangs up mid-body', () => {
  it.each([
    ['POST /v1/requests with Content-Length', '/v1/requests', 'Content-Length: 1000', '{"issuer":"a'],
    ['POST /v1/requests, chunked', '/v1/requests', 'Transfer-Encoding: chunked', 'c\r\n{"issuer":"a'],
    ["1.0's POST /", '/', 'Content-Length: 1000', '{"Issuer":"a'],
  ])('%s is logged as one aborted request, without an error or a stack', async (_name, path, framing, body) => {
    const from = logs.length;
    await hangUpMidBody(
      `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\n${framing}`,
      body,
    );
    const lines = await linesAbout(path, from);
    expect(lines).toEqual([{ level: 'info', msg: 'request aborted', method: 'POST', path }]);
    expect(JSON.stringify(logs.slice(from))).not.toMatch(/unhandled error|stack|"status":500/);
    // The broker is none the worse for it.
    expect((await fetch(`${broker.info.endpoint}/v1/health`)).status).toBe(200);
  });

  it('still answers a complete body that is not JSON as invalid_request', async () => {
    const res = await fetch(`${broker.info.endpoint}/v1/requests`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"issuer":',
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'invalid_request', detail: 'The request body is not valid JSON.' });
  });
});

describe('Host header', () => {
  it.each(['127.0.0.1', 'localhost', 'LOCALHOST', '[::1]'])('accepts %s with the port', async (name) => {
    const res = await withHost(`${name}:${port}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it.each([
    ['a name that resolves to loopback (DNS rebinding)', () => `attacker.example:${port}`],
    ['a loopback name on another port', () => `127.0.0.1:${port + 1}`],
    ['a loopback name without the port', () => '127.0.0.1'],
    ['another loopback address', () => `127.0.0.2:${port}`],
  ])('refuses %s with 421 invalid_request', async (_name, host) => {
    const from = logs.length;
    const res = await withHost(host(), '/v1/requests/r_0123456789abcdefghjkmnpqrs');
    expect(res.status).toBe(421);
    expect(res.type).toBe('application/problem+json');
    expect(res.body).toMatchObject({ status: 421, code: 'invalid_request' });
    expect(res.body.detail).toContain(`127.0.0.1:${port}`);
    expect(logs.slice(from)).toContainEqual(expect.objectContaining({ msg: 'request', status: 421 }));
  });
});
