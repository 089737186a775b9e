// Real traffic for the UI suite: pusher-js clients (ws only, channel auth signed locally
// with the server SDK) and the `pusher` server SDK, pointed at the switchboard under test.
import WebSocket from 'ws';
import { createClient, disconnectAllClients, serverSdk } from '../../support/pusher.mjs';
import { waitUntil, withTimeout } from '../../support/util.mjs';

export const APP = Object.freeze({ id: 'app-id', key: 'app-key', secret: 'app-secret' });

export const sdk = serverSdk;

/** A pusher-js client; `secret` signs channel auth (a wrong one makes refused subscriptions). */
export function client(server, { app = APP, presence, user, secret = app.secret, key = app.key } = {}) {
  return createClient(server, { app: { ...app, key, secret }, presence, user });
}

export const disconnectAll = disconnectAllClients;

export function connected(c, timeout = 5000) {
  if (c.connection.state === 'connected') return Promise.resolve(c);
  return withTimeout(new Promise((resolve) => c.connection.bind('connected', () => resolve(c))), timeout, 'pusher-js connected');
}

export function subscribed(c, name, timeout = 5000) {
  const ch = c.subscribe(name);
  return withTimeout(
    new Promise((resolve, reject) => {
      ch.bind('pusher:subscription_succeeded', () => resolve(ch));
      ch.bind('pusher:subscription_error', (e) => reject(new Error(`subscription to ${name} failed: ${JSON.stringify(e)}`)));
    }),
    timeout,
    `subscription to ${name}`,
  );
}

/** Collects every event a pusher-js client receives (global binding). */
export function inbox(c) {
  const events = [];
  c.bind_global((event, data) => events.push({ event, data }));
  return {
    events,
    wait: (pred, what = 'an event', timeout = 5000) => waitUntil(() => events.find(pred), { timeout, what }),
  };
}

/** A bare WebSocket speaking the protocol by hand (for pings and odd frames). */
export async function rawSocket(server, key = APP.key) {
  const ws = new WebSocket(`ws://${server.host}:${server.port}/app/${key}?protocol=7&client=js&version=8.6.0`);
  const frames = [];
  ws.on('message', (m) => frames.push(JSON.parse(String(m))));
  await waitUntil(() => frames.find((f) => f.event === 'pusher:connection_established'), { timeout: 5000, what: 'connection_established' });
  const established = frames.find((f) => f.event === 'pusher:connection_established');
  return { ws, frames, socketId: JSON.parse(established.data).socket_id, send: (obj) => ws.send(JSON.stringify(obj)) };
}
