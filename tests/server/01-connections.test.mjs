// Issue item 1 — connections on GET /app/{key}: protocol versions, refusals (4001/4003/4004/
// 4006/4007), connection_established, ping/pong both ways, idle pings and 4201, malformed frames.

import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../support/server.mjs';
import { closeAllRaw, connectEstablished, connectRaw, SOCKET_ID_RE } from '../support/raw.mjs';
import { assertPusherError, bare, expectRefused } from '../support/expect.mjs';
import { connectedClient, createClient, disconnectAllClients, waitState } from '../support/pusher.mjs';
import { decodeData, sleep, waitUntil, withTimeout } from '../support/util.mjs';

let plain; // no config: the default app, default timeouts
let limits; // disabled app, max_connections
let idle; // activity_timeout = 1, pong_timeout = 1

before(async () => {
  plain = await startServer({ name: '01-plain' });
  limits = await startServer({
    name: '01-limits',
    config: {
      apps: [
        { id: 'app-id', key: 'app-key', secret: 'app-secret' },
        { id: 'off-id', key: 'off-key', secret: 'off-secret', enabled: false },
        { id: 'small-id', key: 'small-key', secret: 'small-secret', max_connections: 2 },
      ],
    },
  });
  idle = await startServer({
    name: '01-idle',
    config: {
      activity_timeout: 1,
      pong_timeout: 1,
      apps: [{ id: 'app-id', key: 'app-key', secret: 'app-secret' }],
    },
  });
});

afterEach(() => {
  closeAllRaw();
  disconnectAllClients();
});

after(async () => {
  await Promise.all([plain?.stop(), limits?.stop(), idle?.stop()]);
});

const SMALL = { id: 'small-id', key: 'small-key', secret: 'small-secret' };

describe('1. connection_established', () => {
  test('is the first frame, with a socket id and activity_timeout 120 as a JSON string', async () => {
    const socket = await connectRaw(plain);
    await socket.waitFor(() => true, { what: 'the first frame' });
    const first = socket.frames[0];
    assert.equal(first.event, 'pusher:connection_established');
    assert.equal('channel' in first, false, 'connection_established has no channel');
    assert.equal(typeof first.data, 'string', 'data is double-encoded JSON');
    const data = JSON.parse(first.data);
    assert.match(data.socket_id, SOCKET_ID_RE);
    assert.equal(data.activity_timeout, 120);
  });

  test('socket ids are unique per connection', async () => {
    const sockets = await Promise.all([1, 2, 3, 4, 5].map(() => connectEstablished(plain)));
    const ids = new Set(sockets.map((s) => s.socketId));
    assert.equal(ids.size, 5);
    for (const id of ids) assert.match(id, SOCKET_ID_RE);
  });

  for (const protocol of [4, 5, 6, 7]) {
    test(`protocol=${protocol} is accepted`, async () => {
      const socket = await connectRaw(plain, { query: `protocol=${protocol}&client=js&version=8.6.0` });
      await socket.established();
      assert.ok(socket.isOpen);
    });
  }

  test('a missing protocol parameter is accepted', async () => {
    const none = await connectRaw(plain, { query: null });
    await none.established();
    const noProtocol = await connectRaw(plain, { query: 'client=js&version=8.6.0&flash=false' });
    await noProtocol.established();
  });

  test('the official pusher-js client connects over ws', async () => {
    const client = await connectedClient(plain);
    assert.match(client.connection.socket_id, SOCKET_ID_RE);
  });
});

describe('1. refused connections', () => {
  for (const protocol of ['1', '3', '8', '99']) {
    test(`protocol=${protocol} (unsupported integer) → pusher:error 4007, close 4007`, async () => {
      await expectRefused(plain, { query: `protocol=${protocol}&client=js&version=8.6.0` }, 4007);
    });
  }

  for (const protocol of ['abc', '7.5', '7a']) {
    test(`protocol=${protocol} (not an integer) → pusher:error 4006, close 4006`, async () => {
      await expectRefused(plain, { query: `protocol=${protocol}&client=js&version=8.6.0` }, 4006);
    });
  }

  test('an unknown app key → pusher:error 4001, close 4001', async () => {
    await expectRefused(plain, { key: 'no-such-key' }, 4001);
  });

  test('a disabled app → pusher:error 4003, close 4003', async () => {
    await expectRefused(limits, { key: 'off-key' }, 4003);
  });

  test('pusher-js gives up on an unknown key (4001 is "refused")', async () => {
    const client = createClient(plain, {
      app: { id: 'x', key: 'no-such-key', secret: 'x' },
    });
    const errors = [];
    client.connection.bind('error', (e) => errors.push(e));
    await waitState(client, 'disconnected');
    const codes = errors.map((e) => e?.error?.data?.code ?? e?.data?.code);
    assert.ok(codes.includes(4001), `pusher-js saw error codes ${JSON.stringify(codes)}`);
  });

  test('over max_connections → pusher:error 4004, close 4004; a freed slot is reusable', async () => {
    const first = await connectEstablished(limits, { app: SMALL });
    await connectEstablished(limits, { app: SMALL });
    await expectRefused(limits, { app: SMALL }, 4004);
    // Other apps are not affected by this app's quota.
    await connectEstablished(limits);
    await first.close();
    await waitUntil(
      async () => {
        const s = await connectRaw(limits, { app: SMALL });
        const f = await s.waitFor(() => true, { what: 'first frame' });
        if (f.event === 'pusher:connection_established') return true;
        await s.waitClose();
        return false;
      },
      { timeout: 3000, what: 'a slot to free up after a disconnect' },
    );
  });
});

describe('1. ping and pong', () => {
  test('pusher:ping is answered with pusher:pong', async () => {
    const socket = await connectEstablished(plain);
    const from = socket.frames.length;
    socket.send({ event: 'pusher:ping', data: {} });
    const pong = await socket.waitEvent('pusher:pong', { from });
    assert.equal('channel' in pong, false);
    if ('data' in pong) assert.deepEqual(decodeData(pong.data), {});
  });

  test('a WebSocket ping frame is answered with a pong frame', async () => {
    const socket = await connectEstablished(plain);
    const pong = new Promise((resolve) => socket.ws.once('pong', (payload) => resolve(payload.toString())));
    socket.ws.ping('are-you-there');
    assert.equal(await withTimeout(pong, 3000, 'WebSocket pong'), 'are-you-there');
  });

  test('connection_established advertises the configured activity_timeout', async () => {
    const socket = await connectRaw(idle);
    assert.equal((await socket.established()).activity_timeout, 1);
  });

  test('an idle socket gets pusher:ping and a WebSocket ping after activity_timeout', async () => {
    const socket = await connectEstablished(idle);
    const ping = await socket.waitEvent('pusher:ping', { timeout: 4000 });
    if ('data' in ping) assert.deepEqual(decodeData(ping.data), {});
    await waitUntil(() => socket.pings.length > 0, { timeout: 2000, what: 'a WebSocket ping frame' });
    socket.send({ event: 'pusher:pong', data: {} });
  });

  test('a socket that never answers is closed with 4201 after activity_timeout + pong_timeout', async () => {
    const started = Date.now();
    const socket = await connectRaw(idle, { autoPong: false });
    await socket.established();
    const { code } = await socket.waitClose(8000);
    const elapsed = Date.now() - started;
    assert.equal(code, 4201, socket.describe());
    assert.ok(socket.events('pusher:ping').length >= 1, 'a pusher:ping came before the close');
    assert.ok(elapsed >= 1500, `closed too early (${elapsed} ms): the pong_timeout must be waited for`);
  });

  test('answering pusher:ping with pusher:pong keeps a socket open', async () => {
    const socket = await connectRaw(idle, { autoPong: false });
    await socket.established();
    let answered = 0;
    const timer = setInterval(() => {
      while (answered < socket.events('pusher:ping').length) {
        answered += 1;
        socket.send({ event: 'pusher:pong', data: {} });
      }
    }, 20);
    await sleep(4500);
    clearInterval(timer);
    assert.ok(socket.isOpen, socket.describe());
    assert.ok(answered >= 2, `expected repeated pings, answered ${answered}`);
  });

  test('answering WebSocket pings (only) keeps a socket open', async () => {
    const socket = await connectEstablished(idle, { autoPong: true });
    await sleep(4500);
    assert.ok(socket.isOpen, socket.describe());
    assert.ok(socket.pings.length >= 2, `expected repeated WebSocket pings, got ${socket.pings.length}`);
  });

  test('pusher-js stays connected across several activity timeouts', async () => {
    const client = await connectedClient(idle);
    const changes = [];
    client.connection.bind('state_change', (s) => changes.push(s.current));
    await sleep(4500);
    assert.equal(client.connection.state, 'connected');
    assert.deepEqual(changes, [], 'pusher-js never reconnected');
  });
});

describe('1. malformed frames get pusher:error (code null) and the socket keeps working', () => {
  const cases = [
    ['invalid JSON', 'this is {not json', /json/i],
    ['a JSON array instead of an object', '[1,2,3]', /./],
    ['a frame without "event"', JSON.stringify({ data: {} }), /event/i],
    ['a non-string "event"', JSON.stringify({ event: 42, data: {} }), /event/i],
    ['pusher:subscribe with a non-string channel', JSON.stringify({ event: 'pusher:subscribe', data: { channel: 42 } }), /channel/i],
    ['pusher:subscribe without data', JSON.stringify({ event: 'pusher:subscribe' }), /data|channel/i],
    ['an unknown pusher: event', JSON.stringify({ event: 'pusher:nonsense', data: {} }), /pusher:nonsense/],
    [
      'a frame over max_message_size_in_kb (64)',
      JSON.stringify({ event: 'client-big', channel: 'private-x', data: 'x'.repeat(70 * 1024) }),
      /too (large|big|long)|size|exceed|limit/i,
    ],
  ];
  for (const [what, text, messagePattern] of cases) {
    test(what, async () => {
      const socket = await connectEstablished(plain);
      const from = socket.frames.length;
      socket.send(text);
      const error = await socket.waitEvent('pusher:error', { from });
      const message = assertPusherError(bare(error), null);
      assert.match(message, messagePattern);
      await socket.barrier();
      assert.ok(socket.isOpen);
      await socket.subscribeOk('still-working');
    });
  }
});
