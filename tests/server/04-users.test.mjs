// Issue item 4 — users: pusher:signin (signature checked) → pusher:signin_success; sendToUser
// reaches every socket signed in as the user; watchlist online/offline; terminate connections
// (4009); enable_user_authentication closes sockets that never sign in.

import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../support/server.mjs';
import { closeAllRaw, connectEstablished } from '../support/raw.mjs';
import { assertNone, assertPusherError, bare } from '../support/expect.mjs';
import {
  connectedClient,
  disconnectAllClients,
  nextEvent,
  serverSdk,
  waitState,
} from '../support/pusher.mjs';
import { userAuth } from '../support/sign.mjs';
import { decodeData, sleep, uniq, waitUntil } from '../support/util.mjs';

let server;
const APP = { id: 'app-id', key: 'app-key', secret: 'app-secret' };
const GATED = { id: 'gated-id', key: 'gated-key', secret: 'gated-secret' };

before(async () => {
  server = await startServer({
    name: '04-users',
    config: {
      user_authentication_timeout: 1,
      apps: [
        { ...APP, enable_client_messages: true, enable_watchlist_events: true },
        { ...GATED, enable_user_authentication: true },
      ],
    },
  });
});

afterEach(() => {
  closeAllRaw();
  disconnectAllClients();
});

after(async () => {
  await server?.stop();
});

const connect = (opts) => connectEstablished(server, opts);

/** A socket signed in as `id` (extra user data merged in). */
async function signedIn(id, extra = {}) {
  const socket = await connect();
  await socket.signinOk({ id, ...extra });
  return socket;
}

/** `pusher_internal:watchlist_events` frames (decoded) at index >= from. */
function watchlistEvents(socket, from = 0) {
  return socket
    .events('pusher_internal:watchlist_events', undefined, from)
    .flatMap((f) => decodeData(f.data).events);
}

function waitWatchlist(socket, name, userId, from = 0) {
  return socket.waitFor(
    (f) =>
      f.event === 'pusher_internal:watchlist_events' &&
      decodeData(f.data).events.some((e) => e.name === name && e.user_ids.includes(userId)),
    { from, what: `watchlist "${name}" for ${userId}` },
  );
}

describe('4. pusher:signin', () => {
  test('a correct signature → pusher:signin_success echoing user_data', async () => {
    const socket = await connect();
    const from = socket.frames.length;
    const sent = socket.signin({ id: uniq('user'), user_info: { name: 'Ann' } });
    const frame = await socket.waitEvent('pusher:signin_success', { from });
    assert.equal('channel' in frame, false);
    assert.equal(typeof frame.data, 'object', 'signin_success data is an object');
    assert.equal(frame.data.user_data, sent);
  });

  test('a bad signature → pusher:error 4009; the socket stays open', async () => {
    const socket = await connect();
    const from = socket.frames.length;
    const signed = userAuth({ ...APP, secret: 'wrong' }, socket.socketId, { id: 'eve' });
    socket.send({ event: 'pusher:signin', data: signed });
    assertPusherError(bare(await socket.waitEvent('pusher:error', { from })), 4009);
    await socket.barrier();
    assert.ok(socket.isOpen);
    assertNone(socket, (f) => f.event === 'pusher:signin_success', 'signin_success', from);
    // A proper sign-in still works afterwards.
    await socket.signinOk({ id: 'eve' });
  });

  for (const [what, userData] of [
    ['user_data without id', { user_info: {} }],
    ['user_data with an empty id', { id: '' }],
  ]) {
    test(`${what} → pusher:error 4009`, async () => {
      const socket = await connect();
      const from = socket.frames.length;
      socket.signin(userData);
      assertPusherError(bare(await socket.waitEvent('pusher:error', { from })), 4009);
      await socket.barrier();
      assert.ok(socket.isOpen);
    });
  }

  test('signing in again as a different user → pusher:error 4009', async () => {
    const socket = await signedIn(uniq('first'));
    const from = socket.frames.length;
    socket.signin({ id: uniq('second') });
    assertPusherError(bare(await socket.waitEvent('pusher:error', { from })), 4009);
  });

  test('pusher-js signin() completes and pusher-js joins #server-to-user-{id}', async () => {
    const id = uniq('js-user');
    const client = await connectedClient(server, { user: { id, user_info: { name: 'JS' } } });
    client.signin();
    await waitUntil(() => client.user.user_data?.id === id, { what: 'pusher-js user_data' });
    await waitUntil(() => client.user.serverToUserChannel?.subscribed, {
      what: `pusher-js subscribed to #server-to-user-${id}`,
    });
  });
});

describe('4. sendToUser (#server-to-user-{id})', () => {
  test('reaches every pusher-js client signed in as that user, and nobody else', async () => {
    const id = uniq('sam');
    const clients = [];
    for (let i = 0; i < 2; i += 1) {
      const c = await connectedClient(server, { user: { id } });
      c.signin();
      clients.push(c);
    }
    for (const c of clients) {
      await waitUntil(() => c.user.serverToUserChannel?.subscribed, { what: 'server-to-user subscription' });
    }
    const bystander = await signedIn(uniq('other'));
    const from = bystander.frames.length;
    const received = clients.map((c) => nextEvent(c.user, 'note'));
    await serverSdk(server).sendToUser(id, 'note', { n: 1 });
    for (const [data] of await Promise.all(received)) assert.deepEqual(data, { n: 1 });
    await bystander.barrier();
    assertNone(bystander, (f) => f.event === 'note', 'delivery to another user', from);
  });

  test('raw sockets: every signed-in socket gets it exactly once, subscribed or not', async () => {
    const id = uniq('rae');
    const subscribedSocket = await signedIn(id);
    await subscribedSocket.subscribeOk(`#server-to-user-${id}`);
    const plainSocket = await signedIn(id);
    await serverSdk(server).sendToUser(id, 'note', 'hello');
    for (const s of [subscribedSocket, plainSocket]) {
      const frame = await s.waitEvent('note');
      assert.deepEqual(bare(frame), { event: 'note', channel: `#server-to-user-${id}`, data: 'hello' });
      await s.barrier();
      assert.equal(s.events('note').length, 1, 'delivered exactly once');
    }
  });
});

describe('4. watchlist events', () => {
  test('online when a watched user signs in, offline after their last socket goes', async () => {
    const bob = uniq('bob');
    const alice = await signedIn(uniq('alice'), { watchlist: [bob] });
    const from = alice.frames.length;
    const bob1 = await signedIn(bob);
    const bob2 = await signedIn(bob);
    const online = await waitWatchlist(alice, 'online', bob, from);
    assert.deepEqual(decodeData(online.data), { events: [{ name: 'online', user_ids: [bob] }] });
    await alice.barrier();
    assert.equal(
      watchlistEvents(alice, from).filter((e) => e.name === 'online').length,
      1,
      'a second socket of an online user is not a new "online"',
    );

    const beforeLeave = alice.frames.length;
    await bob1.close();
    await sleep(300);
    await alice.barrier();
    assert.deepEqual(watchlistEvents(alice, beforeLeave), [], 'offline only after the last socket');

    await bob2.close();
    const offline = await waitWatchlist(alice, 'offline', bob, beforeLeave);
    assert.deepEqual(decodeData(offline.data), { events: [{ name: 'offline', user_ids: [bob] }] });
  });

  test('a watched user already online is reported right after signin_success', async () => {
    const carol = uniq('carol');
    await signedIn(carol);
    const dave = await connect();
    const { frame } = await dave.signinOk({ id: uniq('dave'), watchlist: [carol] });
    const online = await waitWatchlist(dave, 'online', carol);
    assert.ok(online.index > frame.index, 'watchlist status comes after signin_success');
  });

  test('pusher-js exposes them on pusher.user.watchlist', async () => {
    const erin = uniq('erin');
    const client = await connectedClient(server, { user: { id: uniq('fred'), watchlist: [erin] } });
    client.signin();
    await waitUntil(() => client.user.user_data, { what: 'pusher-js sign-in' });
    const online = nextEvent(client.user.watchlist, 'online');
    const erinSocket = await signedIn(erin);
    const [event] = await online;
    assert.deepEqual(event, { name: 'online', user_ids: [erin] });
    const offline = nextEvent(client.user.watchlist, 'offline');
    await erinSocket.close();
    const [gone] = await offline;
    assert.deepEqual(gone, { name: 'offline', user_ids: [erin] });
  });

  test('a watchlist over 100 ids → signin_success, then pusher:error 4302', async () => {
    const socket = await connect();
    const watchlist = Array.from({ length: 101 }, (_, i) => `w${i}`);
    const from = socket.frames.length;
    socket.signin({ id: uniq('watcher'), watchlist });
    const success = await socket.waitEvent('pusher:signin_success', { from });
    const error = await socket.waitEvent('pusher:error', { from });
    assertPusherError(bare(error), 4302);
    assert.ok(error.index > success.index, '4302 comes after signin_success');
    await socket.barrier();
    assert.ok(socket.isOpen);
  });
});

describe('4. terminate user connections', () => {
  test("every socket of the user gets pusher:error 4009 then close 4009; others stay", async () => {
    const id = uniq('gone');
    const a = await signedIn(id);
    const b = await signedIn(id);
    const bystander = await signedIn(uniq('stays'));
    const res = await serverSdk(server).terminateUserConnections(id);
    assert.equal(res.status, 200);
    for (const s of [a, b]) {
      const { code } = await s.waitClose();
      assert.equal(code, 4009, s.describe());
      const error = s.events('pusher:error').at(-1);
      assert.ok(error, `a pusher:error precedes the close; ${s.describe()}`);
      assert.deepEqual(error.data, { code: 4009, message: 'You got disconnected by the app.' });
    }
    await bystander.barrier();
    assert.ok(bystander.isOpen);
  });

  test('pusher-js is disconnected with 4009 and does not reconnect', async () => {
    const id = uniq('js-gone');
    const client = await connectedClient(server, { user: { id } });
    const errors = [];
    client.connection.bind('error', (e) => errors.push(e));
    client.signin();
    await waitUntil(() => client.user.user_data, { what: 'pusher-js sign-in' });
    await serverSdk(server).terminateUserConnections(id);
    await waitState(client, 'disconnected');
    const codes = errors.map((e) => e?.data?.code ?? e?.error?.data?.code);
    assert.ok(codes.includes(4009), `pusher-js saw error codes ${JSON.stringify(codes)}`);
    await sleep(1500);
    assert.equal(client.connection.state, 'disconnected');
  });
});

describe('4. enable_user_authentication', () => {
  test('a socket that does not sign in within user_authentication_timeout is closed 4009', async () => {
    const started = Date.now();
    const socket = await connect({ app: GATED });
    const { code } = await socket.waitClose(6000);
    assert.equal(code, 4009, socket.describe());
    assert.ok(Date.now() - started >= 800, 'closed only after the timeout');
  });

  test('a socket that signs in stays open', async () => {
    const socket = await connect({ app: GATED });
    await socket.signinOk({ id: uniq('member') });
    await sleep(2500);
    await socket.barrier();
    assert.ok(socket.isOpen, socket.describe());
  });
});
