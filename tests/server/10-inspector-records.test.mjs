// Issue 4 — the records answer "why did (or didn't) my client get this event?": every
// decision is recorded with its cause, deliveries list the sockets reached and skipped with
// the reason, refusals carry the string to sign, and the history, trace, filter and live
// stream endpoints serve them. Traffic comes from the official pusher-js and pusher SDKs.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../support/server.mjs';
import { connectedClient, disconnectAllClients, serverSdk, subscribed } from '../support/pusher.mjs';
import { closeAllRaw, connectEstablished } from '../support/raw.mjs';
import { inspector, openStream, records, waitRecords } from '../support/inspector.mjs';
import { closeAllReceivers, startReceiver } from '../support/webhooks.mjs';
import { uniq, waitUntil } from '../support/util.mjs';

let server;
before(async () => {
  server = await startServer({ name: 'inspector-records' });
});
after(async () => {
  disconnectAllClients();
  closeAllRaw();
  await server.stop();
});

describe('4.1 observations, causes and skip reasons', () => {
  test('a trigger records the API call, then a delivery caused by it, with reached and skipped sockets', async () => {
    const channel = uniq('news');
    const reader = await connectedClient(server);
    await subscribed(reader, channel);
    const excluded = await connectedClient(server);
    await subscribed(excluded, channel);
    const bystander = await connectedClient(server);
    const sdk = serverSdk(server);
    await sdk.trigger(channel, 'price', { v: 1 }, { socket_id: excluded.connection.socket_id });

    const [delivery] = await waitRecords(server, `kind:delivery channel:${channel} event:price`);
    const [api] = await records(server, `kind:api_request`).then((all) => all.filter((r) => r.seq === delivery.cause));
    assert.ok(api, `the delivery's cause ${delivery.cause} is an api_request record`);
    assert.equal(api.status, 200);
    assert.equal(api.method, 'POST');
    assert.match(api.path, /^\/apps\/app-id\/events\?/);
    assert.equal(api.origin, 'api');
    assert.ok(api.latency_us >= 0);

    assert.deepEqual(delivery.reached.map((t) => t.socket), [reader.connection.socket_id]);
    const skipped = Object.fromEntries(delivery.skipped.map((t) => [t.socket, t.reason]));
    assert.equal(skipped[excluded.connection.socket_id], 'excluded_by_socket_id');
    assert.equal(skipped[bystander.connection.socket_id], 'not_subscribed');
    assert.deepEqual(JSON.parse(JSON.parse(delivery.raw).data), { v: 1 });
  });

  test('a client event names its sender as skipped, and a rejected one says why', async () => {
    const channel = `private-${uniq('chat')}`;
    const alice = await connectedClient(server);
    const bob = await connectedClient(server);
    const aliceChannel = await subscribed(alice, channel);
    await subscribed(bob, channel);
    aliceChannel.trigger('client-typing', { who: 'alice' });
    const [delivery] = await waitRecords(server, `kind:delivery event:client-typing channel:${channel}`);
    assert.deepEqual(delivery.reached.map((t) => t.socket), [bob.connection.socket_id]);
    assert.deepEqual(delivery.skipped.map((t) => [t.socket, t.reason]), [[alice.connection.socket_id, 'sender']]);

    const raw = await connectEstablished(server);
    raw.send({ event: 'client-nope', channel, data: {} });
    const [rejected] = await waitRecords(server, `kind:client_event_rejected socket:${raw.socketId}`);
    assert.match(rejected.reason, /Not subscribed/);
  });

  test('a refused subscription records the string to sign, expected and supplied — never the secret', async () => {
    const raw = await connectEstablished(server);
    const channel = `private-${uniq('vault')}`;
    raw.send({ event: 'pusher:subscribe', data: { channel, auth: 'app-key:0badc0de' } });
    const [refused] = await waitRecords(server, `kind:subscription_refused channel:${channel}`);
    assert.equal(refused.string_to_sign, `${raw.socketId}:${channel}`);
    assert.equal(refused.supplied, '0badc0de');
    assert.match(refused.expected, /^[0-9a-f]{64}$/);
    assert.equal(refused.cause !== undefined, true, 'caused by the subscribe frame');
    const everything = JSON.stringify(await records(server, '', { limit: 5000 }));
    assert.ok(!everything.includes('app-secret'), 'no secret in any record');
  });

  test('connections record address and user agent; frames in and out keep their raw text', async () => {
    const raw = await connectEstablished(server);
    raw.send({ event: 'pusher:ping', data: {} });
    const [opened] = await waitRecords(server, `kind:connection_opened socket:${raw.socketId}`);
    assert.match(opened.remote, /^127\.0\.0\.1:\d+$/);
    assert.equal(opened.protocol, '7');
    assert.equal(opened.client, 'js');
    const [ping] = await waitRecords(server, `kind:frame_in socket:${raw.socketId}`);
    assert.equal(ping.raw, '{"event":"pusher:ping","data":{}}');
    const [pong] = await waitRecords(server, `kind:frame_out event:pusher:pong socket:${raw.socketId}`);
    assert.equal(pong.cause, ping.seq);
  });
});

describe('4.3 the filter language over HTTP', () => {
  test('a bad filter is a 400 that points at the position', async () => {
    const { status, body } = await inspector(server, `/records?filter=${encodeURIComponent('channel: and')}`);
    assert.equal(status, 400);
    assert.equal(typeof body.position, 'number');
    assert.ok(body.error.length > 0);
    const check = await inspector(server, `/filter?q=${encodeURIComponent('kind:delivery or (')}`);
    assert.equal(check.body.ok, false);
    assert.ok(check.body.fields.length > 5, 'the field list comes along for autocomplete');
  });

  test('payload paths match the decoded data', async () => {
    const channel = uniq('orders');
    const client = await connectedClient(server);
    await subscribed(client, channel);
    const sdk = serverSdk(server);
    await sdk.trigger(channel, 'order', { order: { id: 41 }, price: 5 });
    await sdk.trigger(channel, 'order', { order: { id: 42 }, price: 12 });
    const found = await waitRecords(server, `kind:delivery channel:${channel} data.order.id == 42`);
    assert.equal(found.length, 1);
    assert.equal((await records(server, `kind:delivery channel:${channel} data.price > 10`)).length, 1);
    assert.equal((await records(server, `kind:delivery channel:${channel} -data.price > 10`)).length, 1);
  });
});

describe('4.4 history, trace and the live stream', () => {
  test('a record comes with its cause and effects', async () => {
    const channel = uniq('trace');
    const client = await connectedClient(server);
    await subscribed(client, channel);
    await serverSdk(server).trigger(channel, 'ping-me', {});
    const [delivery] = await waitRecords(server, `kind:delivery channel:${channel}`);
    const { body } = await inspector(server, `/records/${delivery.cause}`);
    assert.equal(body.record.kind, 'api_request');
    assert.ok(body.effects.some((e) => e.seq === delivery.seq));
    const back = await inspector(server, `/records/${delivery.seq}`);
    assert.equal(back.body.cause.seq, delivery.cause);
  });

  test('a webhook attempt points back at the subscribe that raised it', async () => {
    const rx = await startReceiver();
    const config = [
      '[webhooks]',
      'batch_ms = 50',
      '[[apps]]',
      'id = "app-id"',
      'key = "app-key"',
      'secret = "app-secret"',
      '[[apps.webhooks]]',
      `url = "${rx.url}/hooks"`,
      'event_types = ["channel_occupied"]',
      '',
    ].join('\n');
    const hooked = await startServer({ name: 'inspector-webhook-cause', config });
    try {
      const channel = uniq('hooked');
      await subscribed(await connectedClient(hooked), channel);
      const [attempt] = await waitRecords(hooked, `kind:webhook_attempt channel:${channel}`);
      const { body } = await inspector(hooked, `/records/${attempt.seq}`);
      assert.equal(body.cause?.kind, 'frame_in', JSON.stringify(body.cause));
      assert.equal(body.cause.channel, channel);
      assert.match(body.cause.raw, /pusher:subscribe/);
      const raised = await inspector(hooked, `/records/${attempt.cause}`);
      assert.ok(raised.body.effects.some((e) => e.seq === attempt.seq), 'the subscribe lists the attempt');
    } finally {
      disconnectAllClients();
      await hooked.stop();
      await closeAllReceivers();
    }
  });

  test('cursor paging walks backwards without repeats', async () => {
    const first = await inspector(server, '/records?limit=5');
    assert.equal(first.body.records.length, 5);
    const next = await inspector(server, `/records?limit=5&before=${first.body.next_before}`);
    const seqs = [...next.body.records, ...first.body.records].map((r) => r.seq);
    assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b));
    assert.equal(new Set(seqs).size, seqs.length);
  });

  test('the stream sends new records that match its filter, and the filter can change', async () => {
    const channel = uniq('live');
    const stream = await openStream(server, `channel:${channel}`);
    const client = await connectedClient(server);
    await subscribed(client, channel);
    await serverSdk(server).trigger(channel, 'tick', { n: 1 });
    await waitUntil(() => stream.records().some((r) => r.kind === 'delivery'), { what: 'the delivery on the stream' });
    assert.ok(stream.records().every((r) => r.channel === channel || JSON.stringify(r).includes(channel)));
    stream.send({ type: 'filter', filter: 'kind:(' });
    await waitUntil(() => stream.messages.some((m) => m.type === 'error' && typeof m.position === 'number'), {
      what: 'the filter error on the stream',
    });
    stream.close();
  });
});

describe('4.4 live state', () => {
  test('connections and channels with presence members', async () => {
    const channel = `presence-${uniq('room')}`;
    const client = await connectedClient(server, { presence: { user_id: 'u-7', user_info: { name: 'Ada' } } });
    await subscribed(client, channel);
    const { body } = await inspector(server, '/state');
    const app = body.apps.find((a) => a.id === 'app-id');
    const room = app.channels.find((c) => c.name === channel);
    assert.deepEqual(room.members.map((m) => [m.user_id, m.user_info]), [['u-7', { name: 'Ada' }]]);
    const conn = app.connections.find((c) => c.socket === client.connection.socket_id);
    assert.ok(conn.channels.includes(channel));
    assert.match(conn.remote, /^127\.0\.0\.1:/);
  });
});
