// Issue items 1, 2, 5 — webhooks: all seven event types with Pusher's fields, signed so the
// official `pusher` SDK's verifier accepts them; batching (≤ batch_size events, ≤ batch_ms);
// the grace window for channel_vacated / member_removed; retries with backoff in order;
// timeouts; event_types / channel_prefix filters; extra headers; overflow counted in
// /metrics; pending webhooks flushed on shutdown. Windows are shortened in each config.

import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../support/server.mjs';
import { closeAllRaw, connectEstablished } from '../support/raw.mjs';
import { plainGet, triggerRaw } from '../support/http.mjs';
import { closeAllReceivers, sample, startReceiver } from '../support/webhooks.mjs';
import { sleep, uniq } from '../support/util.mjs';

const GRACE_MS = 500;
const BATCH_MS = 250;

/** A switchboard.toml with a `[webhooks]` table and the default app's webhook targets. */
function webhookToml({ settings = {}, app = {}, targets = [] }) {
  const value = (v) => JSON.stringify(v); // strings, numbers, booleans and string arrays
  const lines = ['[webhooks]', ...Object.entries(settings).map(([k, v]) => `${k} = ${value(v)}`)];
  lines.push('', '[[apps]]', 'id = "app-id"', 'key = "app-key"', 'secret = "app-secret"');
  lines.push(...Object.entries(app).map(([k, v]) => `${k} = ${value(v)}`));
  for (const { headers, ...target } of targets) {
    lines.push('', '[[apps.webhooks]]', ...Object.entries(target).map(([k, v]) => `${k} = ${value(v)}`));
    if (headers) {
      const pairs = Object.entries(headers).map(([k, v]) => `${value(k)} = ${value(v)}`);
      lines.push(`headers = { ${pairs.join(', ')} }`);
    }
  }
  return `${lines.join('\n')}\n`;
}

async function metricsText(server) {
  const res = await plainGet(server, '/metrics');
  assert.equal(res.status, 200);
  return res.text;
}

const extra = [];

async function startExtra(name, toml) {
  const server = await startServer({ name, config: toml });
  extra.push(server);
  return server;
}

afterEach(async () => {
  closeAllRaw();
  await Promise.all(extra.splice(0).map((s) => s.stop()));
});

after(async () => {
  await closeAllReceivers();
});

describe('8. webhook events', () => {
  let server;
  let rx;

  before(async () => {
    rx = await startReceiver();
    server = await startServer({
      name: '08-main',
      config: webhookToml({
        settings: { grace_period_ms: GRACE_MS, batch_ms: BATCH_MS },
        app: { enable_subscription_count: true },
        targets: [
          { url: `${rx.url}/all`, headers: { 'X-Custom': 'yes', Authorization: 'Bearer test-token' } },
          { url: `${rx.url}/filtered`, event_types: ['channel_occupied'], channel_prefix: 'only-' },
        ],
      }),
    });
  });

  after(async () => {
    await server?.stop();
  });

  /** Accepted events on `/all` about `channel`, optionally only those named `name`. */
  const about = (channel, name) =>
    rx.accepted('/all').filter((e) => e.channel === channel && (name === undefined || e.name === name));

  const waitEvent = async (channel, name, what = `${name} on ${channel}`) => {
    await rx.waitFor(() => about(channel, name).length > 0, { what });
    return about(channel, name)[0];
  };

  /** The request on `/all` that carried `name` for `channel`. */
  const requestWith = (channel, name) =>
    rx.to('/all').find((r) => r.events.some((e) => e.channel === channel && e.name === name));

  test('channel_occupied at once; channel_vacated after the grace window, signed for the SDK', async () => {
    const channel = uniq('news');
    const socket = await connectEstablished(server);
    await socket.subscribeOk(channel);
    assert.deepEqual(await waitEvent(channel, 'channel_occupied'), { name: 'channel_occupied', channel });
    const occupied = requestWith(channel, 'channel_occupied');
    assert.equal(occupied.method, 'POST');
    assert.equal(occupied.valid, true, 'the SDK verifier accepts the signature');
    assert.equal(occupied.headers['x-pusher-key'], 'app-key');
    assert.equal(occupied.headers['content-type'], 'application/json');
    assert.match(occupied.headers['x-pusher-signature'], /^[0-9a-f]{64}$/);
    assert.ok(Math.abs(occupied.time.getTime() - occupied.at) < 5000, 'time_ms is the send time in ms');

    const left = Date.now();
    socket.unsubscribe(channel);
    assert.deepEqual(await waitEvent(channel, 'channel_vacated'), { name: 'channel_vacated', channel });
    const waited = requestWith(channel, 'channel_vacated').at - left;
    assert.ok(waited >= GRACE_MS - 50, `channel_vacated waited the grace window (${waited} ms)`);
    assert.ok(waited < GRACE_MS + BATCH_MS + 1500, `channel_vacated came soon after it (${waited} ms)`);
  });

  test('member_added and member_removed carry user_id, once per user', async () => {
    const channel = uniq('presence-room');
    const ann = await connectEstablished(server);
    const annAgain = await connectEstablished(server);
    const bob = await connectEstablished(server);
    await ann.subscribeOk(channel, { user_id: 'ann', user_info: { name: 'Ann' } });
    await annAgain.subscribeOk(channel, { user_id: 'ann', user_info: { name: 'Ann' } });
    await bob.subscribeOk(channel, { user_id: 'bob', user_info: { name: 'Bob' } });
    await rx.waitFor(() => about(channel, 'member_added').length === 2, { what: 'two member_added' });
    assert.deepEqual(about(channel, 'member_added'), [
      { name: 'member_added', channel, user_id: 'ann' },
      { name: 'member_added', channel, user_id: 'bob' },
    ]);
    await bob.close();
    await annAgain.close();
    assert.deepEqual(await waitEvent(channel, 'member_removed'), { name: 'member_removed', channel, user_id: 'bob' });
    await sleep(GRACE_MS + BATCH_MS + 200);
    assert.equal(about(channel, 'member_removed').length, 1, 'ann still has a socket: no member_removed');
  });

  test('client_event carries event, data as a string and socket_id; user_id on presence', async () => {
    const priv = uniq('private-chat');
    const pres = uniq('presence-chat');
    const a = await connectEstablished(server);
    const b = await connectEstablished(server);
    for (const [socket, user] of [
      [a, 'ann'],
      [b, 'bob'],
    ]) {
      await socket.subscribeOk(priv);
      await socket.subscribeOk(pres, { user_id: user, user_info: {} });
    }
    a.clientEvent(priv, 'client-typing', { k: 1 });
    a.clientEvent(pres, 'client-wave', 'hello');
    assert.deepEqual(await waitEvent(priv, 'client_event'), {
      name: 'client_event',
      channel: priv,
      event: 'client-typing',
      data: '{"k":1}',
      socket_id: a.socketId,
    });
    assert.deepEqual(await waitEvent(pres, 'client_event'), {
      name: 'client_event',
      channel: pres,
      event: 'client-wave',
      data: 'hello',
      socket_id: a.socketId,
      user_id: 'ann',
    });
  });

  test('cache_miss once for an empty cache channel, not for every subscriber', async () => {
    const channel = uniq('cache-prices');
    const a = await connectEstablished(server);
    const b = await connectEstablished(server);
    await a.subscribeOk(channel);
    await b.subscribeOk(channel);
    assert.deepEqual(await waitEvent(channel, 'cache_miss'), { name: 'cache_miss', channel });
    await sleep(BATCH_MS + 300);
    assert.equal(about(channel, 'cache_miss').length, 1, rx.describe());
  });

  test('subscription_count follows the count of subscribers', async () => {
    const channel = uniq('counted');
    const a = await connectEstablished(server);
    const b = await connectEstablished(server);
    await a.subscribeOk(channel);
    await b.subscribeOk(channel);
    b.unsubscribe(channel);
    await rx.waitFor(() => about(channel, 'subscription_count').length === 3, { what: 'three counts' });
    assert.deepEqual(
      about(channel, 'subscription_count'),
      [1, 2, 1].map((n) => ({ name: 'subscription_count', channel, subscription_count: n })),
    );
  });

  test('events close together share one request', async () => {
    const channels = [1, 2, 3].map((n) => uniq(`only-batch${n}`));
    const socket = await connectEstablished(server);
    for (const channel of channels) socket.subscribe(channel);
    const mine = () => rx.to('/filtered').filter((r) => r.events.some((e) => channels.includes(e.channel)));
    await rx.waitFor(() => mine().flatMap((r) => r.events).length === 3, { what: 'three occupied' });
    assert.equal(mine().length, 1, `one request: ${rx.describe()}`);
    assert.deepEqual(
      mine()[0].events,
      channels.map((channel) => ({ name: 'channel_occupied', channel })),
    );
  });

  test('a burst of more than batch_size events is split, in order', async () => {
    const prefix = uniq('only-burst');
    const channels = Array.from({ length: 25 }, (_, i) => `${prefix}-${i}`);
    const socket = await connectEstablished(server);
    for (const channel of channels) socket.subscribe(channel);
    const mine = () => rx.to('/filtered').filter((r) => r.events.some((e) => e.channel.startsWith(prefix)));
    await rx.waitFor(() => mine().flatMap((r) => r.events).length === 25, { what: '25 occupied' });
    assert.deepEqual(
      mine().map((r) => r.events.length),
      [20, 5],
      rx.describe(),
    );
    assert.deepEqual(
      mine().flatMap((r) => r.events.map((e) => e.channel)),
      channels,
    );
  });

  test('event_types and channel_prefix filter what a target receives', async () => {
    const wanted = uniq('only-wanted');
    const other = uniq('notonly');
    const socket = await connectEstablished(server);
    await socket.subscribeOk(wanted);
    await socket.subscribeOk(other);
    socket.unsubscribe(wanted);
    await waitEvent(wanted, 'channel_vacated');
    await waitEvent(other, 'channel_occupied');
    const filtered = rx.accepted('/filtered');
    assert.ok(filtered.some((e) => e.channel === wanted && e.name === 'channel_occupied'));
    for (const event of filtered) {
      assert.equal(event.name, 'channel_occupied', JSON.stringify(event));
      assert.ok(event.channel.startsWith('only-'), JSON.stringify(event));
    }
  });

  test('extra headers reach the target that lists them, and only it', async () => {
    const channel = uniq('headers');
    const socket = await connectEstablished(server);
    await socket.subscribeOk(channel);
    await waitEvent(channel, 'channel_occupied');
    const request = requestWith(channel, 'channel_occupied');
    assert.equal(request.headers['x-custom'], 'yes');
    assert.equal(request.headers.authorization, 'Bearer test-token');
    assert.equal(request.headers['x-pusher-key'], 'app-key', 'extra headers never replace Pusher headers');
    for (const r of rx.to('/filtered')) assert.equal(r.headers['x-custom'], undefined);
  });

  test('leaving and coming back within the grace window sends nothing', async () => {
    const channel = uniq('reload');
    const socket = await connectEstablished(server);
    await socket.subscribeOk(channel);
    await waitEvent(channel, 'channel_occupied');
    socket.unsubscribe(channel);
    await socket.subscribeOk(channel);
    await sleep(GRACE_MS + BATCH_MS + 400);
    const names = about(channel).map((e) => e.name).filter((n) => n.startsWith('channel_'));
    assert.deepEqual(names, ['channel_occupied'], rx.describe());
  });

  test('a page reload on a presence channel sends no member or channel events', async () => {
    const channel = uniq('presence-reload');
    const before = await connectEstablished(server);
    await before.subscribeOk(channel, { user_id: 'ann', user_info: {} });
    await waitEvent(channel, 'member_added');
    await before.close();
    const afterReload = await connectEstablished(server);
    await afterReload.subscribeOk(channel, { user_id: 'ann', user_info: {} });
    await sleep(GRACE_MS + BATCH_MS + 400);
    assert.deepEqual(
      about(channel).map((e) => e.name),
      ['channel_occupied', 'member_added'],
      rx.describe(),
    );
  });

  test('every request was signed for the app and accepted by the SDK verifier', () => {
    assert.ok(rx.requests.length > 10);
    for (const request of rx.requests) {
      assert.equal(request.valid, true, request.rawBody);
      assert.ok(request.events.length >= 1 && request.events.length <= 20);
    }
  });
});

describe('8. delivery: retries, timeouts, overflow, shutdown', () => {
  const quick = { grace_period_ms: GRACE_MS, batch_ms: 50 };

  test('a failing receiver gets the same batch again with backoff, and order is kept', async () => {
    const rx = await startReceiver({ respond: (_, i) => (i < 2 ? 500 : 200) });
    const server = await startExtra('08-retry', webhookToml({ settings: quick, targets: [{ url: rx.url }] }));
    const socket = await connectEstablished(server);
    await socket.subscribeOk('first');
    await rx.waitFor(() => rx.requests.length >= 1, { what: 'the first attempt' });
    await socket.subscribeOk('second');
    await rx.waitFor(() => rx.requests.length >= 4, { timeout: 8000, what: 'three attempts and the next batch' });
    const [one, two, three, next] = rx.requests;
    assert.deepEqual([one, two, three, next].map((r) => r.status), [500, 500, 200, 200]);
    assert.equal(two.rawBody, one.rawBody, 'a retry sends the same body');
    assert.equal(three.rawBody, one.rawBody);
    assert.equal(three.headers['x-pusher-signature'], one.headers['x-pusher-signature']);
    assert.deepEqual(one.events, [{ name: 'channel_occupied', channel: 'first' }]);
    assert.deepEqual(next.events, [{ name: 'channel_occupied', channel: 'second' }]);
    assert.ok(two.at - one.at >= 900, `first retry after ~1 s (${two.at - one.at} ms)`);
    assert.ok(three.at - two.at >= 1900, `second retry after ~2 s (${three.at - two.at} ms)`);
    const text = await metricsText(server);
    assert.equal(sample(text, 'switchboard_webhook_attempts_total', { app: 'app-id', outcome: 'rejected' }), 2);
    assert.equal(sample(text, 'switchboard_webhook_attempts_total', { app: 'app-id', outcome: 'delivered' }), 2);
  });

  test('a receiver that does not answer within timeout_ms is retried', async () => {
    const rx = await startReceiver({ respond: (_, i) => (i === 0 ? 'hang' : 200) });
    const settings = { ...quick, timeout_ms: 300 };
    const server = await startExtra('08-timeout', webhookToml({ settings, targets: [{ url: rx.url }] }));
    const socket = await connectEstablished(server);
    await socket.subscribeOk('slow');
    await rx.waitFor(() => rx.requests.length >= 2, { timeout: 5000, what: 'a retry after the timeout' });
    const [hung, retried] = rx.requests;
    assert.equal(hung.status, null, 'the first request was never answered');
    assert.equal(retried.status, 200);
    assert.equal(retried.rawBody, hung.rawBody);
    assert.ok(retried.at - hung.at >= 1200, `timeout then backoff (${retried.at - hung.at} ms)`);
    const text = await metricsText(server);
    assert.equal(sample(text, 'switchboard_webhook_attempts_total', { app: 'app-id', outcome: 'failed' }), 1);
    assert.equal(sample(text, 'switchboard_webhook_attempts_total', { app: 'app-id', outcome: 'delivered' }), 1);
  });

  test('a stalled receiver overflows the bounded queue: drops are counted, the server stays responsive', async () => {
    const rx = await startReceiver({ respond: () => 'hang' });
    const settings = { ...quick, queue_capacity: 2 };
    const server = await startExtra('08-overflow', webhookToml({ settings, targets: [{ url: rx.url }] }));
    const socket = await connectEstablished(server);
    const prefix = uniq('flood');
    for (let i = 0; i < 30; i += 1) socket.subscribe(`${prefix}-${i}`);
    await socket.waitFor((f) => f.channel === `${prefix}-29`, { what: 'the last subscription' });
    const started = Date.now();
    const res = await triggerRaw(server, { name: 'e', channel: `${prefix}-0`, data: '{}' });
    assert.equal(res.status, 200);
    assert.ok(Date.now() - started < 1000, 'the HTTP API answers while webhooks are stuck');
    let dropped;
    for (let i = 0; i < 50 && !(dropped > 0); i += 1) {
      dropped = sample(await metricsText(server), 'switchboard_webhook_dropped_total', { app: 'app-id' });
      if (!(dropped > 0)) await sleep(50);
    }
    assert.ok(dropped > 0, `dropped_total should count the overflow (got ${dropped})`);
    assert.ok(dropped <= 28, `at most 30 - capacity events are dropped (got ${dropped})`);
    await rx.close();
  });

  test('on shutdown, held and pending webhooks go out before the process exits', async () => {
    const rx = await startReceiver();
    const toml = webhookToml({ settings: { grace_period_ms: 3000 }, targets: [{ url: rx.url }] });
    const server = await startServer({ name: '08-shutdown', config: toml });
    const socket = await connectEstablished(server);
    await socket.subscribeOk('leaving');
    await rx.waitFor(() => rx.accepted().length === 1, { what: 'channel_occupied' });
    socket.unsubscribe('leaving');
    await socket.barrier();
    const { code } = await server.stop({ signal: 'SIGTERM' });
    assert.equal(code, 0);
    assert.deepEqual(rx.accepted(), [
      { name: 'channel_occupied', channel: 'leaving' },
      { name: 'channel_vacated', channel: 'leaving' },
    ]);
  });
});
