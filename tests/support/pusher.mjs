// The official SDKs, pointed at a test server: the `pusher` Node server SDK (HTTP API and all
// signatures) and the `pusher-js` client (ws transport only), whose channel authorization and
// user authentication are signed locally with the server SDK, so no auth endpoint is needed.

import PusherJs from 'pusher-js';
import PusherServer from 'pusher';
import { withTimeout } from './util.mjs';

export const DEFAULT_APP = Object.freeze({ id: 'app-id', key: 'app-key', secret: 'app-secret' });

/** 32-byte master key for `private-encrypted-` channels (the reference doc's test vector). */
export const MASTER_KEY_B64 = 'MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=';

/** The official Node server SDK for `app` on `server`. */
export function serverSdk(server, app = DEFAULT_APP) {
  return new PusherServer({
    appId: app.id,
    key: app.key,
    secret: app.secret,
    host: server.host,
    port: String(server.port),
    useTLS: false,
    timeout: 5000,
    encryptionMasterKeyBase64: MASTER_KEY_B64,
  });
}

const clients = new Set();

/**
 * A pusher-js client on `server`, configured the way the README tells users to.
 *
 * Options: `app` (credentials, used for signing), `presence` (`{user_id, user_info}` sent as
 * presence channel_data), `user` (user data for `pusher.signin()`), `options` (merged last).
 */
export function createClient(server, { app = DEFAULT_APP, presence, user, options = {} } = {}) {
  const sdk = serverSdk(server, app);
  const client = new PusherJs(app.key, {
    cluster: 'mt1',
    wsHost: server.host,
    wsPort: server.port,
    forceTLS: false,
    enabledTransports: ['ws'],
    disableStats: true,
    channelAuthorization: {
      customHandler: ({ socketId, channelName }, callback) => {
        try {
          const data = channelName.startsWith('presence-') ? presence : undefined;
          callback(null, sdk.authorizeChannel(socketId, channelName, data));
        } catch (err) {
          callback(err, null);
        }
      },
    },
    userAuthentication: {
      customHandler: ({ socketId }, callback) => {
        try {
          callback(null, sdk.authenticateUser(socketId, user));
        } catch (err) {
          callback(err, null);
        }
      },
    },
    ...options,
  });
  clients.add(client);
  return client;
}

/** Disconnects every pusher-js client created so far (call from `after`/`afterEach`). */
export function disconnectAllClients() {
  for (const client of clients) {
    try {
      client.disconnect();
    } catch {
      // already gone
    }
  }
  clients.clear();
}

/** Resolves when `client` reaches `state` ('connected', 'disconnected', ...). */
export function waitState(client, state, timeout = 5000) {
  if (client.connection.state === state) return Promise.resolve();
  return withTimeout(
    new Promise((resolve) => {
      const onChange = ({ current }) => {
        if (current === state) {
          client.connection.unbind('state_change', onChange);
          resolve();
        }
      };
      client.connection.bind('state_change', onChange);
    }),
    timeout,
    `pusher-js state "${state}" (now "${client.connection.state}")`,
  );
}

/** Creates a client and waits until it is connected. */
export async function connectedClient(server, opts) {
  const client = createClient(server, opts);
  await waitState(client, 'connected');
  return client;
}

/** Subscribes and resolves with the channel on `pusher:subscription_succeeded`. */
export function subscribed(client, name, timeout = 5000) {
  const channel = client.subscribe(name);
  if (channel.subscribed) return Promise.resolve(channel);
  return withTimeout(
    new Promise((resolve, reject) => {
      channel.bind('pusher:subscription_succeeded', () => resolve(channel));
      channel.bind('pusher:subscription_error', (err) =>
        reject(new Error(`subscription to ${name} failed: ${JSON.stringify(err)}`)),
      );
    }),
    timeout,
    `pusher-js subscription to ${name}`,
  );
}

/** Resolves with `[data, metadata]` of the next `event` on `target` (channel, user, watchlist). */
export function nextEvent(target, event, timeout = 5000) {
  return withTimeout(
    new Promise((resolve) => {
      const handler = (data, metadata) => {
        target.unbind(event, handler);
        resolve([data, metadata]);
      };
      target.bind(event, handler);
    }),
    timeout,
    `pusher-js event "${event}"`,
  );
}

/** Collects every `event` on `target` into an array (for counting and negative checks). */
export function collect(target, event) {
  const seen = [];
  target.bind(event, (data, metadata) => seen.push({ data, metadata }));
  return seen;
}
