// Issue item 5 — the HTTP API with request signing: events, batch_events, channels,
// channels/{name}, channels/{name}/users, users/{id}/terminate_connections; 400/401/403/404/413.

import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../support/server.mjs';
import { closeAllRaw, connectEstablished } from '../support/raw.mjs';
import { assertNone } from '../support/expect.mjs';
import { collect, connectedClient, disconnectAllClients, serverSdk, subscribed } from '../support/pusher.mjs';
import { apiRequest, getRaw, nowSeconds, triggerRaw } from '../support/http.mjs';
import { md5Hex } from '../support/sign.mjs';
import { uniq, waitUntil } from '../support/util.mjs';

let server;
const APP = { id: 'app-id', key: 'app-key', secret: 'app-secret' };
const OFF = { id: 'off-id', key: 'off-key', secret: 'off-secret' };

before(async () => {
  server = await startServer({
    name: '05-http',
    config: {
      apps: [
        { ...APP, enable_subscription_count: true },
        { ...OFF, enabled: false },
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

const connect = () => connectEstablished(server);
const sdk = () => serverSdk(server, APP);

async function subscriber(channel, presence) {
  const socket = await connect();
  await socket.subscribeOk(channel, presence);
  return socket;
}

function expectStatus(res, status, pattern) {
  assert.equal(res.status, status, `HTTP ${res.status}: ${res.text}`);
  if (pattern) assert.match(res.text, pattern);
}

describe('5. POST /apps/{id}/events', () => {
  test('the SDK trigger is delivered verbatim and answered 200 {}', async () => {
    const channel = uniq('news');
    const socket = await subscriber(channel);
    const res = await sdk().trigger(channel, 'my-event', { hello: 'world' });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), {});
    const frame = await socket.waitEvent('my-event', { channel });
    assert.deepEqual(
      { event: frame.event, channel: frame.channel, data: frame.data },
      { event: 'my-event', channel, data: '{"hello":"world"}' },
    );
  });

  test('a string data is delivered as the same string', async () => {
    const channel = uniq('news');
    const socket = await subscriber(channel);
    await sdk().trigger(channel, 'text', 'plain "text"');
    assert.equal((await socket.waitEvent('text', { channel })).data, 'plain "text"');
  });

  test('"channels" fans out to every listed channel', async () => {
    const [c1, c2] = [uniq('multi'), uniq('multi')];
    const s1 = await subscriber(c1);
    const s2 = await subscriber(c2);
    await sdk().trigger([c1, c2], 'fan', { x: 1 });
    await s1.waitEvent('fan', { channel: c1 });
    await s2.waitEvent('fan', { channel: c2 });
  });

  test('a single "channel" field is accepted', async () => {
    const channel = uniq('single');
    const socket = await subscriber(channel);
    const res = await triggerRaw(server, { name: 'one', channel, data: '1' });
    expectStatus(res, 200);
    assert.deepEqual(res.json, {});
    await socket.waitEvent('one', { channel });
  });

  test('100 channels are accepted, 101 → 400 naming channels', async () => {
    const names = (n) => Array.from({ length: n }, (_, i) => `many-${i}`);
    expectStatus(await triggerRaw(server, { name: 'e', channels: names(100), data: '{}' }), 200);
    expectStatus(await triggerRaw(server, { name: 'e', channels: names(101), data: '{}' }), 400, /channels/);
  });

  test('socket_id excludes that connection', async () => {
    const channel = uniq('excl');
    const a = await subscriber(channel);
    const b = await subscriber(channel);
    const from = a.frames.length;
    await sdk().trigger(channel, 'not-for-a', {}, { socket_id: a.socketId });
    await b.waitEvent('not-for-a', { channel });
    await a.barrier();
    assertNone(a, (f) => f.event === 'not-for-a', 'delivery to the excluded socket', from);
  });

  test('info=user_count,subscription_count reports per channel', async () => {
    const presence = uniq('presence-info');
    const plain = uniq('info');
    await subscriber(presence, { user_id: 'u1' });
    await subscriber(presence, { user_id: 'u1' });
    await subscriber(presence, { user_id: 'u2' });
    await subscriber(plain);
    await subscriber(plain);
    const res = await triggerRaw(server, {
      name: 'e',
      channels: [presence, plain],
      data: '{}',
      info: 'user_count,subscription_count',
    });
    expectStatus(res, 200);
    assert.deepEqual(res.json, {
      channels: { [presence]: { user_count: 2 }, [plain]: { subscription_count: 2 } },
    });
  });

  test('a 9 KB data is accepted; over 10 KB → 413', async () => {
    const channel = uniq('size');
    expectStatus(await triggerRaw(server, { name: 'e', channel, data: 'x'.repeat(9000) }), 200);
    expectStatus(await triggerRaw(server, { name: 'e', channel, data: 'x'.repeat(10 * 1024 + 1) }), 413);
  });

  const invalid = [
    ['bad JSON', '{"name": "e", "channels": [', /./],
    ['missing name', { channels: ['c'], data: '{}' }, /name/],
    ['missing data', { name: 'e', channels: ['c'] }, /data/],
    ['neither channels nor channel', { name: 'e', data: '{}' }, /channel/],
    ['channels not an array', { name: 'e', channels: 5, data: '{}' }, /channels/],
    ['an invalid channel name', { name: 'e', channels: ['bad channel!'], data: '{}' }, /channel/],
    ['a name over 200 characters', { name: 'n'.repeat(201), channels: ['c'], data: '{}' }, /name/],
    ['a malformed socket_id', { name: 'e', channels: ['c'], data: '{}', socket_id: 'abc' }, /socket_id/],
  ];
  for (const [what, body, pattern] of invalid) {
    test(`${what} → 400 naming the problem`, async () => {
      expectStatus(await triggerRaw(server, body), 400, pattern);
    });
  }
});

describe('5. POST /apps/{id}/batch_events', () => {
  test('delivers each event and answers {}', async () => {
    const [c1, c2] = [uniq('batch'), uniq('batch')];
    const s1 = await subscriber(c1);
    const s2 = await subscriber(c2);
    const res = await sdk().triggerBatch([
      { channel: c1, name: 'b1', data: { n: 1 } },
      { channel: c2, name: 'b2', data: { n: 2 } },
    ]);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), {});
    assert.equal((await s1.waitEvent('b1', { channel: c1 })).data, '{"n":1}');
    assert.equal((await s2.waitEvent('b2', { channel: c2 })).data, '{"n":2}');
  });

  test('10 events are accepted, 11 → 400', async () => {
    const batch = (n) => Array.from({ length: n }, (_, i) => ({ channel: `b-${i}`, name: 'e', data: '{}' }));
    const path = `/apps/${APP.id}/batch_events`;
    expectStatus(await apiRequest(server, { path, body: { batch: batch(10) } }), 200);
    expectStatus(await apiRequest(server, { path, body: { batch: batch(11) } }), 400, /batch|10/i);
  });

  test('info in an item → {"batch":[…]} aligned by index', async () => {
    const presence = uniq('presence-batch');
    const plain = uniq('batch-plain');
    await subscriber(presence, { user_id: 'u1' });
    await subscriber(plain);
    const res = await apiRequest(server, {
      path: `/apps/${APP.id}/batch_events`,
      body: {
        batch: [
          { channel: presence, name: 'e', data: '{}', info: 'user_count' },
          { channel: plain, name: 'e', data: '{}' },
          { channel: plain, name: 'e', data: '{}', info: 'subscription_count' },
        ],
      },
    });
    expectStatus(res, 200);
    assert.deepEqual(res.json, { batch: [{ user_count: 1 }, {}, { subscription_count: 1 }] });
  });

  test('socket_id in an item excludes that connection', async () => {
    const channel = uniq('batch-excl');
    const a = await subscriber(channel);
    const b = await subscriber(channel);
    const from = a.frames.length;
    await sdk().triggerBatch([{ channel, name: 'skip-a', data: {}, socket_id: a.socketId }]);
    await b.waitEvent('skip-a', { channel });
    await a.barrier();
    assertNone(a, (f) => f.event === 'skip-a', 'delivery to the excluded socket', from);
  });

  test('an item with data over 10 KB → 413', async () => {
    const res = await apiRequest(server, {
      path: `/apps/${APP.id}/batch_events`,
      body: { batch: [{ channel: 'c', name: 'e', data: 'x'.repeat(10 * 1024 + 1) }] },
    });
    expectStatus(res, 413);
  });

  test('an item without channel → 400 naming channel', async () => {
    const res = await apiRequest(server, {
      path: `/apps/${APP.id}/batch_events`,
      body: { batch: [{ name: 'e', data: '{}' }] },
    });
    expectStatus(res, 400, /channel/);
  });
});

describe('5. GET /apps/{id}/channels', () => {
  test('lists occupied channels matching filter_by_prefix', async () => {
    const prefix = `${uniq('list')}-`;
    await subscriber(`${prefix}a`);
    await subscriber(`${prefix}b`);
    await subscriber(`${prefix}b`);
    await subscriber(uniq('elsewhere'));
    const res = await getRaw(server, '/channels', { filter_by_prefix: prefix });
    expectStatus(res, 200);
    assert.deepEqual(res.json, { channels: { [`${prefix}a`]: {}, [`${prefix}b`]: {} } });
  });

  test('the SDK get() works the same', async () => {
    const prefix = `${uniq('sdk-list')}-`;
    await subscriber(`${prefix}x`);
    const res = await sdk().get({ path: '/channels', params: { filter_by_prefix: prefix } });
    assert.deepEqual(await res.json(), { channels: { [`${prefix}x`]: {} } });
  });

  test('info=user_count on presence- counts users, not sockets', async () => {
    const room = `presence-${uniq('users')}`;
    await subscriber(room, { user_id: 'u1' });
    await subscriber(room, { user_id: 'u1' });
    await subscriber(room, { user_id: 'u2' });
    const res = await getRaw(server, '/channels', { filter_by_prefix: room, info: 'user_count' });
    expectStatus(res, 200);
    assert.deepEqual(res.json, { channels: { [room]: { user_count: 2 } } });
  });

  test('info=user_count without a presence- prefix → 400', async () => {
    expectStatus(await getRaw(server, '/channels', { info: 'user_count' }), 400, /user_count|presence/);
  });

  test('a vacated channel is no longer listed', async () => {
    const prefix = `${uniq('vacate')}-`;
    const socket = await subscriber(`${prefix}only`);
    socket.unsubscribe(`${prefix}only`);
    await socket.barrier();
    const res = await getRaw(server, '/channels', { filter_by_prefix: prefix });
    assert.deepEqual(res.json, { channels: {} });
  });
});

describe('5. GET /apps/{id}/channels/{name}', () => {
  test('an occupied channel → {"occupied":true}', async () => {
    const channel = uniq('occ');
    await subscriber(channel);
    const res = await getRaw(server, `/channels/${channel}`);
    expectStatus(res, 200);
    assert.deepEqual(res.json, { occupied: true });
  });

  test('an unoccupied channel → {"occupied":false}', async () => {
    const res = await getRaw(server, `/channels/${uniq('empty')}`);
    expectStatus(res, 200);
    assert.deepEqual(res.json, { occupied: false });
  });

  test('info=subscription_count counts sockets', async () => {
    const channel = uniq('subs');
    await subscriber(channel);
    await subscriber(channel);
    const res = await getRaw(server, `/channels/${channel}`, { info: 'subscription_count' });
    assert.deepEqual(res.json, { occupied: true, subscription_count: 2 });
  });

  test('info=user_count on a presence channel counts users', async () => {
    const channel = `presence-${uniq('uc')}`;
    await subscriber(channel, { user_id: 'a' });
    await subscriber(channel, { user_id: 'a' });
    await subscriber(channel, { user_id: 'b' });
    const res = await getRaw(server, `/channels/${channel}`, { info: 'user_count' });
    assert.deepEqual(res.json, { occupied: true, user_count: 2 });
  });

  test('info=user_count on a non-presence channel → 400', async () => {
    expectStatus(await getRaw(server, `/channels/${uniq('pub')}`, { info: 'user_count' }), 400, /user_count|presence/);
  });

  test('info=cache returns the cached event and its ttl', async () => {
    const channel = uniq('cache-info');
    expectStatus(await triggerRaw(server, { name: 'ev', channel, data: '{"v":1}' }), 200);
    const res = await getRaw(server, `/channels/${channel}`, { info: 'cache' });
    expectStatus(res, 200);
    assert.deepEqual(Object.keys(res.json).sort(), ['cache', 'occupied']);
    assert.equal(res.json.occupied, false);
    assert.equal(res.json.cache.data, '{"v":1}');
    assert.ok(Number.isInteger(res.json.cache.ttl) && res.json.cache.ttl > 0, JSON.stringify(res.json));
  });

  test('info=cache on an empty cache channel → "cache": null', async () => {
    const res = await getRaw(server, `/channels/${uniq('cache-none')}`, { info: 'cache' });
    expectStatus(res, 200);
    assert.deepEqual(res.json, { occupied: false, cache: null });
  });
});

describe('5. GET /apps/{id}/channels/{name}/users', () => {
  test('lists distinct user ids of a presence channel', async () => {
    const channel = `presence-${uniq('roster')}`;
    await subscriber(channel, { user_id: 'u1' });
    await subscriber(channel, { user_id: 'u1' });
    await subscriber(channel, { user_id: 'u2' });
    const res = await getRaw(server, `/channels/${channel}/users`);
    expectStatus(res, 200);
    assert.deepEqual(Object.keys(res.json), ['users']);
    const ids = res.json.users.map((u) => u.id).sort();
    assert.deepEqual(ids, ['u1', 'u2']);
    for (const u of res.json.users) assert.deepEqual(Object.keys(u), ['id']);
  });

  test('a non-presence channel → 400', async () => {
    expectStatus(await getRaw(server, `/channels/${uniq('pub')}/users`), 400, /presence/);
  });
});

describe('5. POST /apps/{id}/users/{user}/terminate_connections', () => {
  test('the SDK call answers 200 {} and closes the user\'s sockets with 4009', async () => {
    const id = uniq('term');
    const socket = await connect();
    await socket.signinOk({ id });
    const res = await sdk().terminateUserConnections(id);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), {});
    assert.equal((await socket.waitClose()).code, 4009);
  });

  test('the python SDK path without /apps/{id} works too (app found by auth_key)', async () => {
    const id = uniq('py-term');
    const socket = await connect();
    await socket.signinOk({ id });
    const res = await apiRequest(server, { path: `/users/${id}/terminate_connections`, body: {} });
    expectStatus(res, 200);
    assert.equal((await socket.waitClose()).code, 4009);
  });
});

describe('5. request signing and errors', () => {
  const path = `/apps/${APP.id}/events`;
  const body = { name: 'e', channels: ['signing'], data: '{}' };

  test('an unknown app id → 404', async () => {
    expectStatus(await apiRequest(server, { path: '/apps/no-such-app/events', body }), 404);
  });

  test('a disabled app → 403', async () => {
    expectStatus(await apiRequest(server, { path: `/apps/${OFF.id}/events`, body, app: OFF }), 403);
  });

  test('a wrong signature → 401 showing the string to sign', async () => {
    const res = await apiRequest(server, { path, body, secret: 'not-the-secret' });
    expectStatus(res, 401, /signature/i);
    const queryLine = res.stringToSign.split('\n')[2];
    assert.ok(res.text.includes(queryLine), `401 body should include "${queryLine}": ${res.text}`);
  });

  test('an unknown auth_key → 401', async () => {
    const res = await apiRequest(server, { path, body, app: { ...APP, key: 'wrong-key' } });
    expectStatus(res, 401);
  });

  test('a missing auth_signature → 401', async () => {
    expectStatus(await apiRequest(server, { path, body, sign: false }), 401);
  });

  test('a timestamp 700 s old → 401 explaining the timestamp', async () => {
    expectStatus(await apiRequest(server, { path, body, timestamp: nowSeconds() - 700 }), 401, /timestamp/i);
  });

  test('a timestamp 700 s in the future → 401', async () => {
    expectStatus(await apiRequest(server, { path, body, timestamp: nowSeconds() + 700 }), 401, /timestamp/i);
  });

  test('a timestamp 500 s off either way is accepted', async () => {
    expectStatus(await apiRequest(server, { path, body, timestamp: nowSeconds() - 500 }), 200);
    expectStatus(await apiRequest(server, { path, body, timestamp: nowSeconds() + 500 }), 200);
  });

  test('a body_md5 that does not match the body → 401', async () => {
    expectStatus(await apiRequest(server, { path, body, bodyMd5: md5Hex('something else') }), 401, /md5/i);
  });

  test('a POST body without body_md5 → 401', async () => {
    expectStatus(await apiRequest(server, { path, body, bodyMd5: false }), 401, /md5/i);
  });

  test('a GET carrying body_md5 of the empty body (python SDK) is accepted', async () => {
    const res = await getRaw(server, '/channels', {}, { bodyMd5: md5Hex('') });
    expectStatus(res, 200);
    assert.deepEqual(Object.keys(res.json), ['channels']);
  });

  test('the SDK with a wrong secret surfaces the 401', async () => {
    const bad = serverSdk(server, { ...APP, secret: 'wrong' });
    await assert.rejects(bad.trigger('c', 'e', {}), (err) => err.status === 401);
  });
});

describe('5. HTTP and WebSocket agree', () => {
  test('channel info follows subscriptions as they change', async () => {
    const channel = uniq('live');
    const socket = await subscriber(channel);
    assert.deepEqual((await getRaw(server, `/channels/${channel}`)).json, { occupied: true });
    socket.unsubscribe(channel);
    await socket.barrier();
    await waitUntil(async () => (await getRaw(server, `/channels/${channel}`)).json?.occupied === false, {
      what: 'the channel to be vacated',
    });
  });
});

describe('5. fan-out', () => {
  // Enough subscribers that the server shares the writing among its worker threads, and
  // concurrent batches so that it writes several frames to a socket at once.
  test('a burst of batches reaches 300 pusher-js subscribers whole and in one order', async () => {
    const channel = uniq('burst');
    const clients = await Promise.all(Array.from({ length: 300 }, () => connectedClient(server)));
    const seen = await Promise.all(clients.map(async (c) => collect(await subscribed(c, channel), 'tick')));
    const [batches, perBatch] = [20, 10];
    const batch = (b) =>
      Array.from({ length: perBatch }, (_, i) => ({ channel, name: 'tick', data: { b, i, pad: 'x'.repeat(200) } }));
    await Promise.all(Array.from({ length: batches }, (_, b) => sdk().triggerBatch(batch(b))));
    const total = batches * perBatch;
    await waitUntil(() => seen.every((events) => events.length >= total), {
      timeout: 10000,
      what: `${total} events at each of 300 subscribers`,
    });
    const order = seen[0].map(({ data }) => `${data.b}.${data.i}`);
    assert.equal(new Set(order).size, total, 'each event once');
    for (const events of seen) {
      assert.deepEqual(events.map(({ data }) => `${data.b}.${data.i}`), order, 'every subscriber, one order');
    }
    for (let b = 0; b < batches; b++) {
      const within = seen[0].filter(({ data }) => data.b === b).map(({ data }) => data.i);
      assert.deepEqual(within, [...Array(perBatch).keys()], `batch ${b} in its own order`);
    }
    assert.ok(seen.every(({ length }) => length === total), 'nothing extra');
  });
});
