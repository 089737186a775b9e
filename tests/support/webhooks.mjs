// A real webhook receiver for black-box tests: a node:http server on 127.0.0.1:0 that checks
// every request with the official `pusher` SDK's webhook verifier and records what came,
// when, and how it answered. Tests script the answers (status codes, or never answering).

import http from 'node:http';
import PusherServer from 'pusher';
import { DEFAULT_APP } from './pusher.mjs';
import { waitUntil } from './util.mjs';

const receivers = new Set();

/** Closes every receiver started so far (call from `after`). */
export async function closeAllReceivers() {
  await Promise.all([...receivers].map((r) => r.close()));
}

/**
 * Starts a receiver that verifies with `app`'s key and secret.
 *
 * `respond(request, index)` decides each answer: a status code, or `'hang'` to never answer
 * (the request stays open until the receiver closes). The default answers 200.
 */
export async function startReceiver({ app = DEFAULT_APP, respond = () => 200 } = {}) {
  const sdk = new PusherServer({ appId: app.id, key: app.key, secret: app.secret });
  const requests = [];
  const sockets = new Set();
  const receiver = {
    requests,
    respond,
    url: '',
    /** Requests to `path` (all when omitted). */
    to(path) {
      return path === undefined ? requests : requests.filter((r) => r.path === path);
    },
    /** Events of the requests answered 2xx, in arrival order (optionally only to `path`). */
    accepted(path) {
      return this.to(path)
        .filter((r) => r.status >= 200 && r.status < 300)
        .flatMap((r) => r.events);
    },
    /** Waits until `check(receiver)` is truthy and returns its value. */
    waitFor(check, { timeout = 5000, what = 'webhook requests' } = {}) {
      return waitUntil(() => check(receiver), { timeout, interval: 10, what: `${what}; got ${this.describe()}` });
    },
    describe() {
      return JSON.stringify(requests.map((r) => ({ path: r.path, status: r.status, events: r.events })));
    },
    close() {
      receivers.delete(receiver);
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      const webhook = sdk.webhook({ headers: req.headers, rawBody });
      const valid = webhook.isValid();
      const record = {
        path: req.url,
        method: req.method,
        headers: req.headers,
        rawBody,
        valid,
        events: valid ? webhook.getEvents() : [],
        time: valid ? webhook.getTime() : null,
        at: Date.now(),
        status: null,
      };
      requests.push(record);
      const answer = receiver.respond(record, requests.length - 1);
      if (answer === 'hang') return;
      record.status = answer;
      res.writeHead(answer, { 'content-type': 'text/plain' }).end(answer >= 300 ? 'nope' : 'ok');
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${server.address().port}`;
  receivers.add(receiver);
  return receiver;
}

/** The value of one Prometheus sample in `text`, e.g. `sample(text, 'x_total', {app: 'a'})`. */
export function sample(text, name, labels = {}) {
  const wanted = Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(',');
  const prefix = wanted ? `${name}{${wanted}} ` : `${name} `;
  const line = text.split('\n').find((l) => l.startsWith(prefix));
  return line === undefined ? undefined : Number(line.slice(prefix.length));
}
