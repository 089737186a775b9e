// Issue item 2 — channels: public, private, presence, encrypted, the four cache variants and
// #server-to-user-{id}; name rules; subscribe/unsubscribe; signatures; presence per user and its
// limits; cache replay / cache_miss; subscription_count.

import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../support/server.mjs';
import { closeAllRaw, connectEstablished } from '../support/raw.mjs';
import { assertNone, assertPusherError, assertSubscriptionError, bare } from '../support/expect.mjs';
import {
  DEFAULT_APP,
  connectedClient,
  disconnectAllClients,
  nextEvent,
  serverSdk,
  subscribed,
} from '../support/pusher.mjs';
import { channelAuth } from '../support/sign.mjs';
import { triggerRaw } from '../support/http.mjs';
import { decodeData, sleep, uniq } from '../support/util.mjs';

let plain; // default app, default limits, subscription count off
let counted; // enable_subscription_count = true
const COUNTED = { id: 'counted-id', key: 'counted-key', secret: 'counted-secret' };

before(async () => {
  plain = await startServer({ name: '02-plain' });
  counted = await startServer({
    name: '02-counted',
    config: { apps: [{ ...COUNTED, enable_subscription_count: true }] },
  });
});

afterEach(() => {
  closeAllRaw();
  disconnectAllClients();
});

after(async () => {
  await Promise.all([plain?.stop(), counted?.stop()]);
});

const SUCCEEDED = 'pusher_internal:subscription_succeeded';
const isSucceeded = (channel) => (f) => f.event === SUCCEEDED && f.channel === channel;

async function expectSubscriptionError(socket, channel, presence) {
  const from = socket.frames.length;
  if (presence === 'unsigned') socket.subscribe(channel);
  else socket.subscribe(channel, channelAuth(DEFAULT_APP, socket.socketId, channel, presence));
  const frame = await socket.waitEvent('pusher:subscription_error', { from, channel });
  assertSubscriptionError(bare(frame), channel);
  await socket.barrier();
  assertNone(socket, isSucceeded(channel), 'subscription_succeeded', from);
}

describe('2. public channels', () => {
  test('subscribe → subscription_succeeded with data "{}"', async () => {
    const socket = await connectEstablished(plain);
    const channel = uniq('news');
    socket.subscribe(channel);
    const frame = await socket.waitEvent(SUCCEEDED, { channel });
    assert.deepEqual(bare(frame), { event: SUCCEEDED, channel, data: '{}' });
  });

  test('subscribe without an auth field is accepted too', async () => {
    const socket = await connectEstablished(plain);
    const channel = uniq('news');
    socket.send({ event: 'pusher:subscribe', data: { channel } });
    await socket.waitEvent(SUCCEEDED, { channel });
  });

  test('every allowed character is accepted: a-z A-Z 0-9 - _ = @ , . ;', async () => {
    const socket = await connectEstablished(plain);
    await socket.subscribeOk(`${uniq('Az09')}-_=@,.;`);
  });

  test('a 200-character name is accepted (max_channel_name_length default)', async () => {
    const socket = await connectEstablished(plain);
    const base = uniq('long');
    await socket.subscribeOk(base + 'x'.repeat(200 - base.length));
  });

  test('a 201-character name → pusher:subscription_error', async () => {
    const socket = await connectEstablished(plain);
    const base = uniq('long');
    await expectSubscriptionError(socket, base + 'x'.repeat(201 - base.length), 'unsigned');
  });

  for (const bad of ['has space', 'dollar$sign', 'star*', 'colon:name', 'caf\u00e9']) {
    test(`a name with a forbidden character (${JSON.stringify(bad)}) → pusher:subscription_error`, async () => {
      const socket = await connectEstablished(plain);
      await expectSubscriptionError(socket, bad, 'unsigned');
    });
  }

  test('duplicate subscribe → pusher:error (code null) "Existing subscription to channel X"', async () => {
    const socket = await connectEstablished(plain);
    const channel = uniq('dup');
    await socket.subscribeOk(channel);
    const from = socket.frames.length;
    socket.subscribe(channel);
    const error = await socket.waitEvent('pusher:error', { from });
    assertPusherError(bare(error), null);
    assert.equal(error.data.message, `Existing subscription to channel ${channel}`);
    await socket.barrier();
    assertNone(socket, isSucceeded(channel), 'a second subscription_succeeded', from);
  });

  test('unsubscribe of a channel never subscribed is ignored: no reply at all', async () => {
    const socket = await connectEstablished(plain);
    const from = socket.frames.length;
    socket.unsubscribe(uniq('never'));
    const pongIndex = await socket.barrier();
    assert.equal(pongIndex, from, `nothing may come before the pong; ${socket.describe(from)}`);
    await socket.subscribeOk(uniq('still-fine'));
  });

  test('unsubscribe gets no reply and stops delivery', async () => {
    const socket = await connectEstablished(plain);
    const channel = uniq('stop');
    const other = uniq('keep');
    await socket.subscribeOk(channel);
    await socket.subscribeOk(other);
    const from = socket.frames.length;
    socket.unsubscribe(channel);
    assert.equal(await socket.barrier(), from, 'unsubscribe has no reply');
    const sdk = serverSdk(plain);
    await sdk.trigger(channel, 'after-unsubscribe', { n: 1 });
    await sdk.trigger(other, 'marker', { n: 2 });
    await socket.waitEvent('marker', { channel: other, from });
    assertNone(socket, (f) => f.channel === channel, 'frames on the unsubscribed channel', from);
  });
});

describe('2. private channels', () => {
  test('a correct signature → subscription_succeeded "{}"', async () => {
    const socket = await connectEstablished(plain);
    const channel = uniq('private-room');
    assert.deepEqual(await socket.subscribeOk(channel), {});
  });

  test('a bad signature → pusher:error (code null) naming the expected string to sign', async () => {
    const socket = await connectEstablished(plain);
    const channel = uniq('private-room');
    const auth = `${DEFAULT_APP.key}:${'0'.repeat(64)}`;
    const from = socket.frames.length;
    socket.subscribe(channel, { auth });
    const error = await socket.waitEvent('pusher:error', { from });
    assertPusherError(bare(error), null);
    assert.equal(
      error.data.message,
      `Invalid signature: Expected HMAC SHA256 hex digest of ${socket.socketId}:${channel}, but got ${auth}`,
    );
    await socket.barrier();
    assertNone(socket, isSucceeded(channel), 'subscription_succeeded', from);
    // Non-fatal: the same socket can still subscribe properly.
    await socket.subscribeOk(channel);
  });

  test('a missing signature → the same pusher:error', async () => {
    const socket = await connectEstablished(plain);
    const channel = uniq('private-room');
    const from = socket.frames.length;
    socket.subscribe(channel); // auth: ""
    const error = await socket.waitEvent('pusher:error', { from });
    assertPusherError(bare(error), null);
    // The tail may say "but got " or name the missing auth; the string to sign is what matters.
    assert.ok(
      error.data.message.startsWith(
        `Invalid signature: Expected HMAC SHA256 hex digest of ${socket.socketId}:${channel}, but `,
      ),
      error.data.message,
    );
    assert.ok(socket.isOpen);
  });

  test('a signature made for another socket id is rejected', async () => {
    const socket = await connectEstablished(plain);
    const channel = uniq('private-room');
    const from = socket.frames.length;
    socket.subscribe(channel, channelAuth(DEFAULT_APP, '1234.5678', channel));
    assertPusherError(bare(await socket.waitEvent('pusher:error', { from })), null);
  });

  test('a signature made with another secret is rejected', async () => {
    const socket = await connectEstablished(plain);
    const channel = uniq('private-room');
    const forged = channelAuth({ ...DEFAULT_APP, secret: 'not-the-secret' }, socket.socketId, channel);
    const from = socket.frames.length;
    socket.subscribe(channel, forged);
    const error = await socket.waitEvent('pusher:error', { from });
    assert.equal(
      error.data.message,
      `Invalid signature: Expected HMAC SHA256 hex digest of ${socket.socketId}:${channel}, but got ${forged.auth}`,
    );
  });

  test('pusher-js subscribes with its channel authorizer', async () => {
    const client = await connectedClient(plain);
    const channel = await subscribed(client, uniq('private-js'));
    assert.equal(channel.subscribed, true);
  });
});

describe('2. presence channels', () => {
  test('subscription_succeeded carries ids/hash/count including the subscriber', async () => {
    const socket = await connectEstablished(plain);
    const channel = uniq('presence-room');
    socket.subscribeSigned(channel, { user_id: 'ann', user_info: { name: 'Ann' } });
    const frame = await socket.waitEvent(SUCCEEDED, { channel });
    assert.equal(typeof frame.data, 'string', 'data is double-encoded JSON');
    assert.deepEqual(JSON.parse(frame.data), {
      presence: { ids: ['ann'], hash: { ann: { name: 'Ann' } }, count: 1 },
    });
  });

  test('a second user sees both members; the first gets member_added, the joiner does not', async () => {
    const channel = uniq('presence-room');
    const ann = await connectEstablished(plain);
    await ann.subscribeOk(channel, { user_id: 'ann', user_info: { name: 'Ann' } });
    const bob = await connectEstablished(plain);
    const annFrom = ann.frames.length;
    const roster = await bob.subscribeOk(channel, { user_id: 'bob', user_info: { name: 'Bob' } });
    assert.deepEqual(roster.presence.ids.slice().sort(), ['ann', 'bob']);
    assert.deepEqual(roster.presence.hash, { ann: { name: 'Ann' }, bob: { name: 'Bob' } });
    assert.equal(roster.presence.count, 2);

    const added = await ann.waitEvent('pusher_internal:member_added', { channel, from: annFrom });
    assert.equal(typeof added.data, 'string');
    assert.deepEqual(JSON.parse(added.data), { user_id: 'bob', user_info: { name: 'Bob' } });
    await bob.barrier();
    assertNone(bob, (f) => f.event === 'pusher_internal:member_added', 'member_added to the joiner');
  });

  test('presence is per user: one member_added for the first socket, member_removed after the last', async () => {
    const channel = uniq('presence-room');
    const watcher = await connectEstablished(plain);
    await watcher.subscribeOk(channel, { user_id: 'watcher' });
    const first = await connectEstablished(plain);
    const second = await connectEstablished(plain);
    const from = watcher.frames.length;

    await first.subscribeOk(channel, { user_id: 'cat', user_info: { n: 1 } });
    await watcher.waitEvent('pusher_internal:member_added', { channel, from });
    const roster = await second.subscribeOk(channel, { user_id: 'cat', user_info: { n: 1 } });
    assert.deepEqual(roster.presence.ids.slice().sort(), ['cat', 'watcher']);
    assert.equal(roster.presence.count, 2, 'the same user on two sockets counts once');
    await watcher.barrier();
    assert.equal(watcher.events('pusher_internal:member_added', channel, from).length, 1);

    const beforeLeave = watcher.frames.length;
    first.unsubscribe(channel);
    await first.barrier();
    await watcher.barrier();
    assertNone(
      watcher,
      (f) => f.event === 'pusher_internal:member_removed',
      'member_removed while the user still has a socket',
      beforeLeave,
    );

    await second.close();
    const removed = await watcher.waitEvent('pusher_internal:member_removed', { channel, from: beforeLeave });
    assert.deepEqual(decodeData(removed.data), { user_id: 'cat' });
  });

  test('a disconnect is an implicit unsubscribe: member_removed', async () => {
    const channel = uniq('presence-room');
    const watcher = await connectEstablished(plain);
    await watcher.subscribeOk(channel, { user_id: 'w' });
    const leaver = await connectEstablished(plain);
    await leaver.subscribeOk(channel, { user_id: 'leaver' });
    const from = watcher.frames.length;
    leaver.ws.terminate();
    const removed = await watcher.waitEvent('pusher_internal:member_removed', { channel, from });
    assert.deepEqual(decodeData(removed.data), { user_id: 'leaver' });
  });

  test('a numeric user_id is reported as a string', async () => {
    const channel = uniq('presence-room');
    const socket = await connectEstablished(plain);
    const roster = await socket.subscribeOk(channel, { user_id: 10, user_info: { name: 'Ten' } });
    assert.deepEqual(roster.presence, { ids: ['10'], hash: { 10: { name: 'Ten' } }, count: 1 });
  });

  test('a member without user_info appears in hash with null', async () => {
    const channel = uniq('presence-room');
    const socket = await connectEstablished(plain);
    const roster = await socket.subscribeOk(channel, { user_id: 'bare' });
    assert.ok(Object.hasOwn(roster.presence.hash, 'bare'), JSON.stringify(roster));
    assert.equal(roster.presence.hash.bare, null);
  });

  test('a bad signature → pusher:error whose expected string includes channel_data', async () => {
    const socket = await connectEstablished(plain);
    const channel = uniq('presence-room');
    const channelData = JSON.stringify({ user_id: 'mallory' });
    const auth = `${DEFAULT_APP.key}:${'f'.repeat(64)}`;
    const from = socket.frames.length;
    socket.subscribe(channel, { auth, channel_data: channelData });
    const error = await socket.waitEvent('pusher:error', { from });
    assertPusherError(bare(error), null);
    assert.equal(
      error.data.message,
      `Invalid signature: Expected HMAC SHA256 hex digest of ${socket.socketId}:${channel}:${channelData}, but got ${auth}`,
    );
  });

  test('without channel_data and not signed in → pusher:error (code null)', async () => {
    const socket = await connectEstablished(plain);
    const channel = uniq('presence-room');
    const from = socket.frames.length;
    socket.subscribe(channel, channelAuth(DEFAULT_APP, socket.socketId, channel));
    assertPusherError(bare(await socket.waitEvent('pusher:error', { from })), null);
    await socket.barrier();
    assertNone(socket, isSucceeded(channel), 'subscription_succeeded', from);
  });

  test('without channel_data when signed in → the signed-in user joins (signature socket:channel)', async () => {
    const socket = await connectEstablished(plain);
    await socket.signinOk({ id: 'signed-sue', user_info: { name: 'Sue' } });
    const channel = uniq('presence-room');
    socket.subscribe(channel, channelAuth(DEFAULT_APP, socket.socketId, channel));
    const frame = await socket.waitEvent(SUCCEEDED, { channel });
    assert.deepEqual(JSON.parse(frame.data), {
      presence: { ids: ['signed-sue'], hash: { 'signed-sue': { name: 'Sue' } }, count: 1 },
    });
  });

  test('max_presence_members_per_channel (100): the 101st user → pusher:subscription_error', async () => {
    const channel = uniq('presence-full');
    const members = [];
    for (let i = 0; i < 100; i += 1) members.push(connectEstablished(plain));
    const sockets = await Promise.all(members);
    await Promise.all(sockets.map((s, i) => s.subscribeOk(channel, { user_id: `m${i}` }, 10000)));
    const watcher = sockets[0];
    await watcher.barrier(); // every member_added of the 99 others has arrived
    const from = watcher.frames.length;

    const late = await connectEstablished(plain);
    await expectSubscriptionError(late, channel, { user_id: 'one-too-many' });
    await watcher.barrier();
    assertNone(watcher, (f) => f.event === 'pusher_internal:member_added', 'member_added for a refused user', from);
    // Another socket of an existing member is not a new member and still gets in.
    const again = await connectEstablished(plain);
    const roster = await again.subscribeOk(channel, { user_id: 'm7' });
    assert.equal(roster.presence.count, 100);
  });

  test('max_presence_member_size_in_kb (2): a 3 KB user_info → pusher:subscription_error', async () => {
    const channel = uniq('presence-big');
    const socket = await connectEstablished(plain);
    await expectSubscriptionError(socket, channel, { user_id: 'big', user_info: { blob: 'x'.repeat(3 * 1024) } });
  });

  test('a 1.5 KB user_info is within the 2 KB limit', async () => {
    const channel = uniq('presence-big');
    const socket = await connectEstablished(plain);
    const roster = await socket.subscribeOk(channel, { user_id: 'ok', user_info: { blob: 'x'.repeat(1536) } });
    assert.equal(roster.presence.count, 1);
  });

  test('pusher-js: members, me, member_added and member_removed', async () => {
    const name = uniq('presence-js');
    const ann = await connectedClient(plain, { presence: { user_id: 'ann', user_info: { name: 'Ann' } } });
    const annChannel = await subscribed(ann, name);
    assert.equal(annChannel.members.count, 1);
    assert.equal(annChannel.members.me.id, 'ann');
    assert.deepEqual(annChannel.members.me.info, { name: 'Ann' });

    const added = nextEvent(annChannel, 'pusher:member_added');
    const bob = await connectedClient(plain, { presence: { user_id: 'bob', user_info: { name: 'Bob' } } });
    const bobChannel = await subscribed(bob, name);
    assert.equal(bobChannel.members.count, 2);
    const [member] = await added;
    assert.deepEqual(member, { id: 'bob', info: { name: 'Bob' } });

    const removed = nextEvent(annChannel, 'pusher:member_removed');
    bob.disconnect();
    const [gone] = await removed;
    assert.equal(gone.id, 'bob');
    assert.equal(annChannel.members.count, 1);
  });
});

describe('2. private-encrypted channels', () => {
  test('subscribe with the private signature → subscription_succeeded', async () => {
    const socket = await connectEstablished(plain);
    assert.deepEqual(await socket.subscribeOk(uniq('private-encrypted-vault')), {});
  });

  test('the server relays ciphertext untouched; pusher-js decrypts it', async () => {
    const name = uniq('private-encrypted-vault');
    const client = await connectedClient(plain);
    const channel = await subscribed(client, name);
    const raw = await connectEstablished(plain);
    await raw.subscribeOk(name);
    const received = nextEvent(channel, 'secret');
    await serverSdk(plain).trigger(name, 'secret', { msg: 'hello' });
    const [data] = await received;
    assert.deepEqual(data, { msg: 'hello' });
    const frame = await raw.waitEvent('secret', { channel: name });
    const envelope = JSON.parse(frame.data);
    assert.deepEqual(Object.keys(envelope).sort(), ['ciphertext', 'nonce']);
  });
});

describe('2. cache channels', () => {
  const variants = [
    ['cache-', undefined],
    ['private-cache-', undefined],
    ['private-encrypted-cache-', undefined],
    ['presence-cache-', { user_id: 'cacher' }],
  ];
  for (const [prefix, presence] of variants) {
    test(`${prefix}: empty → subscription_succeeded then pusher:cache_miss`, async () => {
      const channel = uniq(`${prefix}empty`);
      const socket = await connectEstablished(plain);
      await socket.subscribeOk(channel, presence);
      const succeeded = socket.frames.findIndex(isSucceeded(channel));
      const miss = await socket.waitEvent('pusher:cache_miss', { channel });
      assert.ok(miss.index > succeeded, 'cache_miss comes after subscription_succeeded');
    });

    test(`${prefix}: the last triggered event is replayed right after subscription_succeeded`, async () => {
      const channel = uniq(`${prefix}full`);
      for (const n of [1, 2]) {
        const res = await triggerRaw(plain, { name: 'update', channel, data: JSON.stringify({ n }) });
        assert.equal(res.status, 200, res.text);
      }
      const socket = await connectEstablished(plain);
      await socket.subscribeOk(channel, presence);
      const succeeded = socket.frames.findIndex(isSucceeded(channel));
      const cached = await socket.waitEvent('update', { channel });
      assert.deepEqual(bare(cached), { event: 'update', channel, data: '{"n":2}' });
      const channelFrames = socket.frames
        .map((f, i) => ({ f, i }))
        .filter(({ f, i }) => i > succeeded && f.channel === channel && !f.event.startsWith('pusher_internal:'));
      assert.equal(channelFrames[0].i, cached.index, 'the cached event is the first channel event');
      await socket.barrier();
      assertNone(socket, (f) => f.event === 'pusher:cache_miss', 'cache_miss on a full cache channel');
      assert.equal(socket.events('update', channel).length, 1, 'only the last event is replayed');
    });
  }

  test('client events are never cached', async () => {
    const channel = uniq('private-cache-chat');
    const sender = await connectEstablished(plain);
    await sender.subscribeOk(channel);
    await sender.waitEvent('pusher:cache_miss', { channel });
    sender.clientEvent(channel, 'client-note', { n: 1 });
    await sender.barrier();
    const late = await connectEstablished(plain);
    await late.subscribeOk(channel);
    await late.waitEvent('pusher:cache_miss', { channel });
    assertNone(late, (f) => f.event === 'client-note', 'a cached client event');
  });

  test('presence-cache: joiner gets succeeded then the cached event; members get member_added', async () => {
    const channel = uniq('presence-cache-room');
    const member = await connectEstablished(plain);
    await member.subscribeOk(channel, { user_id: 'early' });
    await triggerRaw(plain, { name: 'state', channel, data: '"s1"' });
    const from = member.frames.length;
    const joiner = await connectEstablished(plain);
    await joiner.subscribeOk(channel, { user_id: 'late' });
    const cached = await joiner.waitEvent('state', { channel });
    assert.equal(cached.data, '"s1"');
    await member.waitEvent('pusher_internal:member_added', { channel, from });
  });
});

describe('2. subscription_count (enable_subscription_count = true)', () => {
  test('non-presence subscribers are told the count as it changes', async () => {
    const channel = uniq('counted');
    const a = await connectEstablished(counted, { app: COUNTED });
    await a.subscribeOk(channel);
    const b = await connectEstablished(counted, { app: COUNTED });
    const from = a.frames.length;
    await b.subscribeOk(channel);
    const two = await a.waitFor(
      (f) =>
        f.event === 'pusher_internal:subscription_count' &&
        f.channel === channel &&
        decodeData(f.data)?.subscription_count === 2,
      { from, what: 'subscription_count 2' },
    );
    assert.equal(typeof two.data, 'string');
    assert.deepEqual(JSON.parse(two.data), { subscription_count: 2 });

    const from2 = a.frames.length;
    b.unsubscribe(channel);
    await a.waitFor(
      (f) =>
        f.event === 'pusher_internal:subscription_count' &&
        f.channel === channel &&
        decodeData(f.data)?.subscription_count === 1,
      { from: from2, what: 'subscription_count 1' },
    );
  });

  test('pusher-js emits pusher:subscription_count', async () => {
    const name = uniq('counted-js');
    const client = await connectedClient(counted, { app: COUNTED });
    const channel = await subscribed(client, name);
    const seen = [];
    channel.bind('pusher:subscription_count', (d) => seen.push(d.subscription_count));
    const other = await connectEstablished(counted, { app: COUNTED });
    await other.subscribeOk(name);
    for (let i = 0; i < 60 && !seen.includes(2); i += 1) await sleep(50);
    assert.ok(seen.includes(2), `pusher-js saw counts ${JSON.stringify(seen)}`);
    assert.equal(channel.subscriptionCount, 2);
  });

  test('presence channels never get subscription_count', async () => {
    const channel = uniq('presence-counted');
    const a = await connectEstablished(counted, { app: COUNTED });
    await a.subscribeOk(channel, { user_id: 'a' });
    const b = await connectEstablished(counted, { app: COUNTED });
    await b.subscribeOk(channel, { user_id: 'b' });
    await a.barrier();
    await b.barrier();
    for (const s of [a, b]) {
      assertNone(s, (f) => f.event === 'pusher_internal:subscription_count', 'subscription_count on presence');
    }
  });

  test('apps without the setting never get subscription_count', async () => {
    const channel = uniq('uncounted');
    const a = await connectEstablished(plain);
    await a.subscribeOk(channel);
    const b = await connectEstablished(plain);
    await b.subscribeOk(channel);
    await a.barrier();
    assertNone(a, (f) => f.event === 'pusher_internal:subscription_count', 'subscription_count');
  });
});

describe('2. #server-to-user-{id}', () => {
  test('subscribing without being signed in → pusher:error (code null)', async () => {
    const socket = await connectEstablished(plain);
    const channel = '#server-to-user-nobody';
    const from = socket.frames.length;
    socket.subscribe(channel);
    assertPusherError(bare(await socket.waitEvent('pusher:error', { from })), null);
    await socket.barrier();
    assertNone(socket, isSucceeded(channel), 'subscription_succeeded', from);
  });

  test('signed in as {id} → subscription_succeeded', async () => {
    const socket = await connectEstablished(plain);
    await socket.signinOk({ id: 'ursula' });
    await socket.subscribeOk('#server-to-user-ursula');
  });

  test("another user's channel → pusher:error (code null)", async () => {
    const socket = await connectEstablished(plain);
    await socket.signinOk({ id: 'victor' });
    const from = socket.frames.length;
    socket.subscribe('#server-to-user-ursula');
    assertPusherError(bare(await socket.waitEvent('pusher:error', { from })), null);
    await socket.barrier();
    assertNone(socket, isSucceeded('#server-to-user-ursula'), 'subscription_succeeded', from);
  });
});
