// Issue item 3 — client events: client-* only on private/presence channels (never encrypted),
// only when enabled, only on subscribed channels, never echoed, user_id on presence, 10/s rate
// limit (4301), event name and payload limits. Rejections: pusher:error 4301 with `channel`.

import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../support/server.mjs';
import { closeAllRaw, connectEstablished } from '../support/raw.mjs';
import { assertNone, assertPusherError, bare } from '../support/expect.mjs';
import { connectedClient, disconnectAllClients, nextEvent, subscribed } from '../support/pusher.mjs';
import { sleep, uniq, waitUntil } from '../support/util.mjs';

let plain; // no config: client events are enabled on the default app
let quiet; // enable_client_messages = false
const QUIET = { id: 'quiet-id', key: 'quiet-key', secret: 'quiet-secret' };

before(async () => {
  plain = await startServer({ name: '03-plain' });
  quiet = await startServer({
    name: '03-quiet',
    config: { apps: [{ ...QUIET, enable_client_messages: false }] },
  });
});

afterEach(() => {
  closeAllRaw();
  disconnectAllClients();
});

after(async () => {
  await Promise.all([plain?.stop(), quiet?.stop()]);
});

/** Two sockets subscribed to `channel` (presence: users `ann` and `bob`). */
async function pair(server, channel, opts = {}) {
  const a = await connectEstablished(server, opts);
  const b = await connectEstablished(server, opts);
  const presence = channel.startsWith('presence-');
  await a.subscribeOk(channel, presence ? { user_id: 'ann', user_info: { name: 'Ann' } } : undefined);
  await b.subscribeOk(channel, presence ? { user_id: 'bob', user_info: { name: 'Bob' } } : undefined);
  return [a, b];
}

/** Sends a client event that must be refused: 4301 with `channel`, nothing reaches `receiver`. */
async function expectRejected(sender, receiver, channel, event, data) {
  const from = sender.frames.length;
  const receiverFrom = receiver ? receiver.frames.length : 0;
  sender.clientEvent(channel, event, data);
  const error = await sender.waitEvent('pusher:error', { from });
  assertPusherError(bare(error), 4301);
  assert.equal(error.channel, channel, `the 4301 error names the channel: ${JSON.stringify(error)}`);
  if (receiver) {
    await receiver.barrier();
    assertNone(receiver, (f) => f.event === event, 'delivery of a rejected client event', receiverFrom);
  }
  await sender.barrier();
  assert.ok(sender.isOpen, 'the socket stays open');
}

describe('3. delivery', () => {
  test('private: delivered verbatim to the other subscriber, without user_id', async () => {
    const channel = uniq('private-chat');
    const [a, b] = await pair(plain, channel);
    a.clientEvent(channel, 'client-typing', { text: 'hi' });
    const frame = await b.waitEvent('client-typing', { channel });
    assert.deepEqual(bare(frame), { event: 'client-typing', channel, data: { text: 'hi' } });
  });

  test('never echoed to the sender', async () => {
    const channel = uniq('private-chat');
    const [a, b] = await pair(plain, channel);
    const from = a.frames.length;
    a.clientEvent(channel, 'client-typing', { text: 'hi' });
    await b.waitEvent('client-typing', { channel });
    await a.barrier();
    assertNone(a, (f) => f.event === 'client-typing', 'an echo to the sender', from);
  });

  test('string data is forwarded as the same string', async () => {
    const channel = uniq('private-chat');
    const [a, b] = await pair(plain, channel);
    a.clientEvent(channel, 'client-raw', 'just "text"');
    const frame = await b.waitEvent('client-raw', { channel });
    assert.equal(frame.data, 'just "text"');
  });

  test('presence: the relayed frame carries the sender user_id', async () => {
    const channel = uniq('presence-chat');
    const [a, b] = await pair(plain, channel);
    a.clientEvent(channel, 'client-wave', { at: 1 });
    const frame = await b.waitEvent('client-wave', { channel });
    assert.deepEqual(bare(frame), { event: 'client-wave', channel, data: { at: 1 }, user_id: 'ann' });
  });

  test("presence: the sender's other sockets (same user) do receive it", async () => {
    const channel = uniq('presence-chat');
    const a1 = await connectEstablished(plain);
    const a2 = await connectEstablished(plain);
    await a1.subscribeOk(channel, { user_id: 'ann' });
    await a2.subscribeOk(channel, { user_id: 'ann' });
    a1.clientEvent(channel, 'client-sync', { v: 1 });
    const frame = await a2.waitEvent('client-sync', { channel });
    assert.equal(frame.user_id, 'ann');
  });

  test('pusher-js: channel.trigger reaches the other client with metadata.user_id', async () => {
    const name = uniq('presence-js-chat');
    const ann = await connectedClient(plain, { presence: { user_id: 'ann', user_info: {} } });
    const bob = await connectedClient(plain, { presence: { user_id: 'bob', user_info: {} } });
    const annChannel = await subscribed(ann, name);
    const bobChannel = await subscribed(bob, name);
    const received = nextEvent(bobChannel, 'client-hello');
    assert.equal(annChannel.trigger('client-hello', { a: 1 }), true);
    const [data, metadata] = await received;
    assert.deepEqual(data, { a: 1 });
    assert.equal(metadata.user_id, 'ann');
  });

  test('an event name of exactly 200 characters is accepted', async () => {
    const channel = uniq('private-chat');
    const [a, b] = await pair(plain, channel);
    const event = `client-${'n'.repeat(193)}`;
    assert.equal(event.length, 200);
    a.clientEvent(channel, event, {});
    await b.waitEvent(event, { channel });
  });

  test('a 9 KB payload is accepted', async () => {
    const channel = uniq('private-chat');
    const [a, b] = await pair(plain, channel);
    a.clientEvent(channel, 'client-bulk', { blob: 'x'.repeat(9 * 1000) });
    const frame = await b.waitEvent('client-bulk', { channel });
    assert.equal(frame.data.blob.length, 9000);
  });
});

describe('3. rejections: pusher:error 4301 with channel, socket stays open', () => {
  test('on a public channel', async () => {
    const channel = uniq('public-chat');
    const [a, b] = await pair(plain, channel);
    await expectRejected(a, b, channel, 'client-x', {});
  });

  test('on a private-encrypted channel', async () => {
    const channel = uniq('private-encrypted-chat');
    const [a, b] = await pair(plain, channel);
    await expectRejected(a, b, channel, 'client-x', { nonce: 'n', ciphertext: 'c' });
  });

  test('on a channel the sender is not subscribed to', async () => {
    const channel = uniq('private-chat');
    const outsider = await connectEstablished(plain);
    const [, member] = await pair(plain, channel);
    await expectRejected(outsider, member, channel, 'client-sneak', {});
  });

  test('after unsubscribing', async () => {
    const channel = uniq('presence-chat');
    const [a, b] = await pair(plain, channel);
    a.unsubscribe(channel);
    await expectRejected(a, b, channel, 'client-late', {});
  });

  test('when the app has enable_client_messages = false', async () => {
    const channel = uniq('private-chat');
    const [a, b] = await pair(quiet, channel, { app: QUIET });
    await expectRejected(a, b, channel, 'client-x', {});
  });

  test('an event name over max_event_name_length (200)', async () => {
    const channel = uniq('private-chat');
    const [a, b] = await pair(plain, channel);
    await expectRejected(a, b, channel, `client-${'n'.repeat(194)}`, {});
  });

  test('a payload over max_event_payload_in_kb (10)', async () => {
    const channel = uniq('private-chat');
    const [a, b] = await pair(plain, channel);
    await expectRejected(a, b, channel, 'client-huge', { blob: 'x'.repeat(11 * 1024) });
  });

  test('over max_client_events_per_second (10): the excess is refused, the socket stays open', async () => {
    const channel = uniq('private-chat');
    const [a, b] = await pair(plain, channel);
    const aFrom = a.frames.length;
    const burst = 25;
    for (let i = 0; i < burst; i += 1) a.clientEvent(channel, 'client-burst', { i });
    await a.barrier(5000);
    await b.barrier(5000);
    const delivered = b.events('client-burst', channel).length;
    const errors = a.find((f) => f.event === 'pusher:error', aFrom);
    for (const e of errors) {
      assertPusherError(e, 4301);
      assert.equal(e.channel, channel);
    }
    // Whatever the window alignment, 10 pass at once and at most 20 can fit in two windows.
    assert.ok(delivered >= 10 && delivered <= 20, `delivered ${delivered} of ${burst}`);
    assert.equal(errors.length, burst - delivered, 'every refused event got a 4301');
    assert.ok(a.isOpen);

    await sleep(1100);
    a.clientEvent(channel, 'client-after', {});
    await b.waitEvent('client-after', { channel });
  });

  test('pusher-js gets the 4301 as an error and stays connected', async () => {
    const name = uniq('public-js');
    const client = await connectedClient(plain);
    const channel = await subscribed(client, name);
    const errors = [];
    client.connection.bind('error', (e) => errors.push(e));
    channel.trigger('client-nope', {});
    await waitUntil(() => errors.some((e) => e?.data?.code === 4301), { what: 'a 4301 error in pusher-js' });
    assert.equal(client.connection.state, 'connected');
  });
});
