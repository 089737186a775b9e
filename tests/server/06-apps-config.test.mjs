// Issue item 6 — several apps isolated from each other; configuration from a TOML file
// (--config), SWITCHBOARD_* env vars and flags (flags > env > file > defaults); the default app;
// per-app limits from the file; invalid config files refused with file:line and the field.

import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { freePort, runBinary, startServer, toToml, writeConfig } from '../support/server.mjs';
import { closeAllRaw, connectEstablished } from '../support/raw.mjs';
import { assertNone, assertPusherError, assertSubscriptionError, bare, expectRefused } from '../support/expect.mjs';
import { connectedClient, disconnectAllClients, nextEvent, serverSdk, subscribed } from '../support/pusher.mjs';
import { apiRequest, triggerRaw } from '../support/http.mjs';
import { channelAuth } from '../support/sign.mjs';
import { uniq } from '../support/util.mjs';

const ALPHA = { id: 'alpha-id', key: 'alpha-key', secret: 'alpha-secret' };
const BETA = { id: 'beta-id', key: 'beta-key', secret: 'beta-secret' };
const TIGHT = { id: 'tight-id', key: 'tight-key', secret: 'tight-secret' };

let multi; // alpha + beta + tight (small limits), activity_timeout 42
const extra = []; // servers started by single tests

before(async () => {
  multi = await startServer({
    name: '06-multi',
    config: {
      activity_timeout: 42,
      apps: [
        { ...ALPHA, enable_client_messages: true },
        { ...BETA, enable_client_messages: true },
        {
          ...TIGHT,
          enable_client_messages: true,
          max_presence_members_per_channel: 2,
          max_presence_member_size_in_kb: 1,
          max_channel_name_length: 20,
          max_event_channels_at_once: 2,
          max_event_name_length: 20,
          max_event_payload_in_kb: 1,
          max_event_batch_size: 2,
          max_client_events_per_second: 2,
        },
      ],
    },
  });
});

afterEach(async () => {
  closeAllRaw();
  disconnectAllClients();
  await Promise.all(extra.splice(0).map((s) => s.stop()));
});

after(async () => {
  await multi?.stop();
});

async function startExtra(options) {
  const s = await startServer(options);
  extra.push(s);
  return s;
}

describe('6. apps are isolated', () => {
  test('an event triggered on app A never reaches app B on the same channel name', async () => {
    const channel = uniq('shared-name');
    const a = await connectEstablished(multi, { app: ALPHA });
    const b = await connectEstablished(multi, { app: BETA });
    await a.subscribeOk(channel);
    await b.subscribeOk(channel);
    await serverSdk(multi, ALPHA).trigger(channel, 'for-alpha', {});
    await a.waitEvent('for-alpha', { channel });
    await serverSdk(multi, BETA).trigger(channel, 'for-beta', {});
    await b.waitEvent('for-beta', { channel });
    assertNone(b, (f) => f.event === 'for-alpha', 'app A event on app B');
    await a.barrier();
    assertNone(a, (f) => f.event === 'for-beta', 'app B event on app A');
  });

  test('presence rosters are per app', async () => {
    const channel = uniq('presence-shared');
    const a = await connectEstablished(multi, { app: ALPHA });
    await a.subscribeOk(channel, { user_id: 'alpha-user' });
    const b = await connectEstablished(multi, { app: BETA });
    const roster = await b.subscribeOk(channel, { user_id: 'beta-user' });
    assert.deepEqual(roster.presence.ids, ['beta-user']);
    await a.barrier();
    assertNone(a, (f) => f.event === 'pusher_internal:member_added', 'member_added across apps');
  });

  test('client events stay inside their app', async () => {
    const channel = uniq('private-shared');
    const a1 = await connectEstablished(multi, { app: ALPHA });
    const a2 = await connectEstablished(multi, { app: ALPHA });
    const b = await connectEstablished(multi, { app: BETA });
    for (const s of [a1, a2, b]) await s.subscribeOk(channel);
    a1.clientEvent(channel, 'client-ping', {});
    await a2.waitEvent('client-ping', { channel });
    await b.barrier();
    assertNone(b, (f) => f.event === 'client-ping', 'client event across apps');
  });

  test("GET channels lists only the app's own channels", async () => {
    const prefix = `${uniq('iso')}-`;
    const a = await connectEstablished(multi, { app: ALPHA });
    await a.subscribeOk(`${prefix}alpha`);
    const b = await connectEstablished(multi, { app: BETA });
    await b.subscribeOk(`${prefix}beta`);
    const res = await serverSdk(multi, BETA).get({ path: '/channels', params: { filter_by_prefix: prefix } });
    assert.deepEqual(await res.json(), { channels: { [`${prefix}beta`]: {} } });
  });

  test("app A's credentials cannot call app B's API", async () => {
    const res = await apiRequest(multi, {
      path: `/apps/${BETA.id}/events`,
      app: ALPHA,
      body: { name: 'e', channels: ['x'], data: '{}' },
    });
    assert.equal(res.status, 401, res.text);
  });

  test("a private channel signed with app A's secret is refused on app B", async () => {
    const channel = uniq('private-cross');
    const b = await connectEstablished(multi, { app: BETA });
    const from = b.frames.length;
    b.subscribe(channel, channelAuth(ALPHA, b.socketId, channel));
    assertPusherError(bare(await b.waitEvent('pusher:error', { from })), null);
  });

  test('each app only accepts its own key on /app/{key}', async () => {
    await expectRefused(multi, { key: 'gamma-key' }, 4001);
    await connectEstablished(multi, { app: BETA });
  });
});

describe('6. settings from the TOML file', () => {
  test('activity_timeout is advertised in connection_established', async () => {
    const socket = await connectEstablished(multi, { app: ALPHA });
    const s2 = await connectEstablished(multi, { app: BETA });
    assert.equal((await socket.established()).activity_timeout, 42);
    assert.equal((await s2.established()).activity_timeout, 42);
  });

  test('max_presence_members_per_channel = 2', async () => {
    const channel = uniq('presence-t');
    for (const user of ['p1', 'p2']) {
      const s = await connectEstablished(multi, { app: TIGHT });
      await s.subscribeOk(channel, { user_id: user });
    }
    const third = await connectEstablished(multi, { app: TIGHT });
    third.subscribeSigned(channel, { user_id: 'p3' });
    assertSubscriptionError(bare(await third.waitEvent('pusher:subscription_error', { channel })), channel);
  });

  test('max_presence_member_size_in_kb = 1', async () => {
    const channel = uniq('presence-t');
    const s = await connectEstablished(multi, { app: TIGHT });
    s.subscribeSigned(channel, { user_id: 'big', user_info: { blob: 'x'.repeat(1536) } });
    assertSubscriptionError(bare(await s.waitEvent('pusher:subscription_error', { channel })), channel);
  });

  test('max_channel_name_length = 20', async () => {
    const s = await connectEstablished(multi, { app: TIGHT });
    await s.subscribeOk('a'.repeat(20));
    const long = 'b'.repeat(21);
    s.subscribe(long);
    assertSubscriptionError(bare(await s.waitEvent('pusher:subscription_error', { channel: long })), long);
  });

  test('max_event_channels_at_once = 2', async () => {
    const body = (n) => ({ name: 'e', channels: ['c1', 'c2', 'c3'].slice(0, n), data: '{}' });
    assert.equal((await triggerRaw(multi, body(2), { app: TIGHT })).status, 200);
    const res = await triggerRaw(multi, body(3), { app: TIGHT });
    assert.equal(res.status, 400, res.text);
    assert.match(res.text, /channels/);
  });

  test('max_event_name_length = 20 (HTTP 400, client event 4301)', async () => {
    const ok = await triggerRaw(multi, { name: 'n'.repeat(20), channel: 'c', data: '{}' }, { app: TIGHT });
    assert.equal(ok.status, 200, ok.text);
    const res = await triggerRaw(multi, { name: 'n'.repeat(21), channel: 'c', data: '{}' }, { app: TIGHT });
    assert.equal(res.status, 400, res.text);
    assert.match(res.text, /name/);

    const channel = uniq('private-t').slice(0, 20);
    const s = await connectEstablished(multi, { app: TIGHT });
    await s.subscribeOk(channel);
    const from = s.frames.length;
    s.clientEvent(channel, `client-${'n'.repeat(14)}`, {});
    assertPusherError(bare(await s.waitEvent('pusher:error', { from })), 4301);
  });

  test('max_event_payload_in_kb = 1 (HTTP 413, client event 4301)', async () => {
    const res = await triggerRaw(multi, { name: 'e', channel: 'c', data: 'x'.repeat(2048) }, { app: TIGHT });
    assert.equal(res.status, 413, res.text);
    const channel = uniq('private-t').slice(0, 20);
    const s = await connectEstablished(multi, { app: TIGHT });
    await s.subscribeOk(channel);
    const from = s.frames.length;
    s.clientEvent(channel, 'client-big', { blob: 'x'.repeat(2048) });
    assertPusherError(bare(await s.waitEvent('pusher:error', { from })), 4301);
  });

  test('max_event_batch_size = 2', async () => {
    const batch = (n) => Array.from({ length: n }, (_, i) => ({ channel: `c${i}`, name: 'e', data: '{}' }));
    const path = `/apps/${TIGHT.id}/batch_events`;
    assert.equal((await apiRequest(multi, { path, app: TIGHT, body: { batch: batch(2) } })).status, 200);
    assert.equal((await apiRequest(multi, { path, app: TIGHT, body: { batch: batch(3) } })).status, 400);
  });

  test('max_client_events_per_second = 2', async () => {
    const channel = uniq('private-t').slice(0, 20);
    const a = await connectEstablished(multi, { app: TIGHT });
    const b = await connectEstablished(multi, { app: TIGHT });
    await a.subscribeOk(channel);
    await b.subscribeOk(channel);
    const from = a.frames.length;
    for (let i = 0; i < 8; i += 1) a.clientEvent(channel, 'client-r', { i });
    await a.barrier();
    await b.barrier();
    const delivered = b.events('client-r', channel).length;
    assert.ok(delivered >= 2 && delivered <= 4, `delivered ${delivered} of 8`);
    const errors = a.find((f) => f.event === 'pusher:error', from);
    assert.equal(errors.length, 8 - delivered);
    for (const e of errors) assertPusherError(e, 4301);
  });
});

describe('6. defaults, env vars and flags', () => {
  test('no configuration: app-id / app-key / app-secret, activity_timeout 120, client events on', async () => {
    const s = await startExtra({ name: '06-defaults' });
    const socket = await connectEstablished(s);
    assert.equal((await socket.established()).activity_timeout, 120);
    const res = await serverSdk(s).trigger('hello', 'e', {});
    assert.equal(res.status, 200);
    const name = uniq('private-default');
    const a = await connectedClient(s);
    const b = await connectedClient(s);
    const ca = await subscribed(a, name);
    const cb = await subscribed(b, name);
    const received = nextEvent(cb, 'client-hi');
    ca.trigger('client-hi', { ok: true });
    assert.deepEqual((await received)[0], { ok: true });
  });

  test('SWITCHBOARD_APP_ID / _KEY / _SECRET define the default app', async () => {
    const app = { id: 'env-id', key: 'env-key', secret: 'env-secret' };
    const s = await startExtra({
      name: '06-env-app',
      env: { SWITCHBOARD_APP_ID: app.id, SWITCHBOARD_APP_KEY: app.key, SWITCHBOARD_APP_SECRET: app.secret },
    });
    const socket = await connectEstablished(s, { app });
    await socket.subscribeOk(uniq('private-env'));
    await expectRefused(s, { key: 'app-key' }, 4001);
    const res = await serverSdk(s, app).trigger('x', 'e', {});
    assert.equal(res.status, 200);
  });

  test('SWITCHBOARD_ACTIVITY_TIMEOUT', async () => {
    const s = await startExtra({ name: '06-env-timeout', env: { SWITCHBOARD_ACTIVITY_TIMEOUT: '33' } });
    const socket = await connectEstablished(s);
    assert.equal((await socket.established()).activity_timeout, 33);
  });

  test('SWITCHBOARD_CONFIG points at the file', async () => {
    const file = writeConfig(toToml({ activity_timeout: 44, apps: [ALPHA] }));
    const s = await startExtra({ name: '06-env-config', env: { SWITCHBOARD_CONFIG: file } });
    const socket = await connectEstablished(s, { app: ALPHA });
    assert.equal((await socket.established()).activity_timeout, 44);
  });

  test('env beats the file', async () => {
    const s = await startExtra({
      name: '06-env-beats-file',
      config: { activity_timeout: 44, apps: [ALPHA] },
      env: { SWITCHBOARD_ACTIVITY_TIMEOUT: '33' },
    });
    const socket = await connectEstablished(s, { app: ALPHA });
    assert.equal((await socket.established()).activity_timeout, 33);
  });

  test('SWITCHBOARD_PORT is used without --port', async () => {
    const port = await freePort();
    const s = await startExtra({
      name: '06-env-port',
      listen: false,
      args: ['--host', '127.0.0.1'],
      env: { SWITCHBOARD_PORT: String(port) },
    });
    assert.equal(s.port, port);
    await connectEstablished(s);
  });

  test('--port beats SWITCHBOARD_PORT', async () => {
    const blocker = net.createServer();
    await new Promise((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const taken = blocker.address().port;
    try {
      const s = await startExtra({ name: '06-flag-port', env: { SWITCHBOARD_PORT: String(taken) } });
      assert.notEqual(s.port, taken);
      await connectEstablished(s);
    } finally {
      blocker.close();
    }
  });

  test('SWITCHBOARD_HOST is used without --host; --host beats it', async () => {
    const s = await startExtra({
      name: '06-env-host',
      listen: false,
      args: ['--port', '0'],
      env: { SWITCHBOARD_HOST: '127.0.0.2' },
    });
    assert.equal(s.host, '127.0.0.2');
    await connectEstablished(s);
    const flagged = await startExtra({ name: '06-flag-host', env: { SWITCHBOARD_HOST: '127.0.0.2' } });
    assert.equal(flagged.host, '127.0.0.1');
  });

  test('host and port from the file are used without flags', async () => {
    const port = await freePort();
    const s = await startExtra({
      name: '06-file-listen',
      listen: false,
      config: { host: '127.0.0.3', port, apps: [ALPHA] },
    });
    assert.equal(s.host, '127.0.0.3');
    assert.equal(s.port, port);
    await connectEstablished(s, { app: ALPHA });
  });
});

describe('6. invalid configuration is refused', () => {
  async function refuse(text) {
    const file = writeConfig(text);
    const result = await runBinary(['serve', '--host', '127.0.0.1', '--port', '0', '--config', file], {
      timeout: 8000,
    });
    assert.equal(result.timedOut, false, `switchboard kept running with an invalid config:\n${result.stdout}`);
    assert.notEqual(result.code, 0, 'non-zero exit');
    assert.doesNotMatch(result.stdout, /listening on/);
    return result;
  }

  test('a wrong value type names switchboard.toml:LINE and the field', async () => {
    const { stderr } = await refuse(
      ['activity_timeout = 30', '', '[[apps]]', 'id = "x"', 'key = "y"', 'secret = "z"', 'max_connections = "lots"', ''].join(
        '\n',
      ),
    );
    assert.match(stderr, /switchboard\.toml:7\b/);
    assert.match(stderr, /max_connections/);
  });

  test('a negative limit names switchboard.toml:LINE and the field', async () => {
    const { stderr } = await refuse(
      ['[[apps]]', 'id = "x"', 'key = "y"', 'secret = "z"', 'max_channel_name_length = -5', ''].join('\n'),
    );
    assert.match(stderr, /switchboard\.toml:5\b/);
    assert.match(stderr, /max_channel_name_length/);
  });

  test('a top-level setting of the wrong type names its line', async () => {
    const { stderr } = await refuse(['host = "127.0.0.1"', 'activity_timeout = "soon"', ''].join('\n'));
    assert.match(stderr, /switchboard\.toml:2\b/);
    assert.match(stderr, /activity_timeout/);
  });

  test('a TOML syntax error names switchboard.toml:LINE', async () => {
    const { stderr } = await refuse(['[[apps]]', 'id = "x"', 'key = ', 'secret = "z"', ''].join('\n'));
    assert.match(stderr, /switchboard\.toml:3\b/);
  });

  test('a missing config file is refused, naming the path', async () => {
    const result = await runBinary(
      ['serve', '--host', '127.0.0.1', '--port', '0', '--config', '/nonexistent/switchboard.toml'],
      { timeout: 8000 },
    );
    assert.equal(result.timedOut, false);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /\/nonexistent\/switchboard\.toml/);
  });
});
