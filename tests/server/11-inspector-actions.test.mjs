// Issue 4 — acting as the server from the inspector (publish, virtual client, raw frame,
// disconnect, terminate) and replaying recorded traffic into live pusher-js clients.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../support/server.mjs';
import { collect, connectedClient, disconnectAllClients, nextEvent, serverSdk, subscribed } from '../support/pusher.mjs';
import { closeAllRaw, connectEstablished } from '../support/raw.mjs';
import { inspector, waitRecords } from '../support/inspector.mjs';
import { uniq, waitUntil, withTimeout } from '../support/util.mjs';

let server;
before(async () => {
  server = await startServer({ name: 'inspector-actions' });
});
after(async () => {
  disconnectAllClients();
  closeAllRaw();
  await server.stop();
});

const post = (path, body) => inspector(server, path, { method: 'POST', body });

describe('4.4 actions as the server', () => {
  test('publish reaches pusher-js and is recorded with origin inject', async () => {
    const channel = uniq('inject');
    const client = await connectedClient(server);
    const ch = await subscribed(client, channel);
    const got = nextEvent(ch, 'greeting');
    const answer = await post('/actions/publish', { app: 'app-id', name: 'greeting', channels: [channel], data: '{"hi":1}' });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.deepEqual((await got)[0], { hi: 1 });
    const [record] = await waitRecords(server, `kind:api_request origin:inject`);
    assert.match(record.path, /actions\/publish/);
  });

  test('publish to a user reaches every socket signed in as that user', async () => {
    const user = { id: uniq('user'), user_info: {} };
    const clients = [await connectedClient(server, { user }), await connectedClient(server, { user })];
    for (const c of clients) {
      c.signin();
      await waitUntil(() => c.user.user_data?.id === user.id, { what: 'sign-in' });
    }
    const events = clients.map((c) => nextEvent(c.user, 'note'));
    await post('/actions/publish', { app: 'app-id', name: 'note', channels: [`#server-to-user-${user.id}`], data: '{"n":1}' });
    for (const event of await Promise.all(events)) assert.deepEqual(event[0], { n: 1 });
  });

  test('a virtual client event reaches every subscriber of a private channel', async () => {
    const channel = `private-${uniq('vc')}`;
    const client = await connectedClient(server);
    const ch = await subscribed(client, channel);
    const got = nextEvent(ch, 'client-poke');
    const answer = await post('/actions/client-event', { app: 'app-id', channel, event: 'client-poke', data: '{"x":2}' });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.deepEqual((await got)[0], { x: 2 });
    const refused = await post('/actions/client-event', { app: 'app-id', channel: 'public-x', event: 'client-a', data: '{}' });
    assert.equal(refused.status, 400);
    assert.match(refused.body.error, /private|presence/);
  });

  test('a raw frame goes to one socket; disconnect uses the chosen close code', async () => {
    const raw = await connectEstablished(server);
    const other = await connectEstablished(server);
    const text = '{"event":"custom","channel":"x","data":"{}"}';
    assert.equal((await post('/actions/raw-frame', { socket: raw.socketId, text })).status, 200);
    await raw.waitFor((f) => f.event === 'custom');
    assert.ok(!other.frames.some((f) => f.event === 'custom'));
    const bad = await post('/actions/disconnect', { socket: raw.socketId, code: 1234, reason: 'nope' });
    assert.equal(bad.status, 400);
    assert.equal((await post('/actions/disconnect', { socket: raw.socketId, code: 4100, reason: 'bye' })).status, 200);
    const closed = await withTimeout(raw.closed, 3000, 'the close');
    assert.equal(closed.code, 4100);
    const missing = await post('/actions/raw-frame', { socket: raw.socketId, text });
    assert.equal(missing.status, 404);
  });

  test('terminate closes the user\'s sockets with 4009', async () => {
    const user = { id: uniq('term'), user_info: {} };
    const client = await connectedClient(server, { user });
    client.signin();
    await waitUntil(() => client.user.user_data?.id === user.id, { what: 'sign-in' });
    const states = collect(client.connection, 'state_change');
    assert.equal((await post('/actions/terminate', { app: 'app-id', user: user.id })).status, 200);
    await waitUntil(() => states.some((s) => s.data.current === 'disconnected' || s.data.current === 'unavailable'), {
      what: 'pusher-js to be disconnected',
    });
  });
});

describe('4.4 replay', () => {
  test('a recorded burst replays into a live subscriber, renamed, labelled as replay', async () => {
    const source = uniq('burst');
    const target = `${source}-again`;
    const recorder = await connectedClient(server);
    const originals = collect(await subscribed(recorder, source), 'tick');
    const sdk = serverSdk(server);
    for (let i = 0; i < 3; i += 1) await sdk.trigger(source, 'tick', { i });
    await waitUntil(() => originals.length === 3, { what: 'the three originals' });

    const listener = await connectedClient(server);
    const ch = await subscribed(listener, target);
    const seen = collect(ch, 'tick');
    const started = await post('/replay', {
      filter: `kind:delivery channel:${source}`,
      timing: 'fastest',
      rename: [{ from: source, to: target }],
    });
    assert.equal(started.status, 200, JSON.stringify(started.body));
    assert.equal(started.body.total, 3);
    await waitUntil(() => seen.length === 3, { what: 'three replayed events' });
    assert.deepEqual(seen.map((e) => e.data.i), [0, 1, 2]);
    const status = await waitUntil(async () => {
      const { body } = await inspector(server, `/replay/${started.body.id}`);
      return body.state === 'finished' ? body : null;
    }, { what: 'the replay to finish' });
    assert.equal(status.done, 3);
    await waitRecords(server, `kind:delivery channel:${target} origin:replay`, { count: 3 });
  });

  test('step mode waits for each step and can be cancelled', async () => {
    const source = uniq('steps');
    const client = await connectedClient(server);
    const ch = await subscribed(client, source);
    const seen = collect(ch, 'go');
    const sdk = serverSdk(server);
    for (let i = 0; i < 3; i += 1) await sdk.trigger(source, 'go', { i });
    await waitUntil(() => seen.length === 3, { what: 'the three originals' });
    seen.length = 0;
    const started = await post('/replay', { filter: `kind:delivery channel:${source}`, timing: 'step' });
    const id = started.body.id;
    await waitUntil(async () => (await inspector(server, `/replay/${id}`)).body.state === 'waiting', { what: 'waiting' });
    assert.equal(seen.length, 0, 'nothing is sent before the first step');
    await post(`/replay/${id}/step`);
    await waitUntil(() => seen.length === 1, { what: 'the first step' });
    await inspector(server, `/replay/${id}`, { method: 'DELETE' });
    await waitUntil(async () => (await inspector(server, `/replay/${id}`)).body.state === 'cancelled', { what: 'cancelled' });
    assert.equal(seen.length, 1);
  });
});
