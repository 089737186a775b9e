// Issue items 3 and 4 — zero-config from a project's own `.env` (`--env-file`,
// SWITCHBOARD_ENV_FILE): one app per PUSHER_APP_*, REVERB_APP_*, SOKETI_DEFAULT_APP_* family,
// plain-words warnings on stderr, the file never written; and live reload of the config file
// and of the `.env` file while clients are connected, without dropping the others.

import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { freePort, runBinary, startServer, tempDir, toToml, writeConfig } from '../support/server.mjs';
import { closeAllRaw, connectEstablished } from '../support/raw.mjs';
import { connectedClient, disconnectAllClients, nextEvent, serverSdk, subscribed, waitState } from '../support/pusher.mjs';
import { triggerRaw } from '../support/http.mjs';
import { uniq, waitUntil } from '../support/util.mjs';

const started = [];
afterEach(async () => {
  closeAllRaw();
  disconnectAllClients();
  await Promise.all(started.splice(0).map((s) => s.stop()));
});

/** Starts a server and waits for the whole banner (stdout) and the start-up warnings (stderr). */
async function start(options) {
  const server = await startServer(options);
  started.push(server);
  await waitUntil(() => /Health: \/up/.test(server.stdout) && /listening on/.test(server.stderr), {
    what: `the banner and the start-up log; stdout:\n${server.stdout}\nstderr:\n${server.stderr}`,
  });
  return server;
}

/** Writes `text` as `<fresh dir>/.env`; returns its path. */
function writeEnv(text) {
  const file = path.join(tempDir('switchboard-env-'), '.env');
  fs.writeFileSync(file, text);
  return file;
}

const sha256 = (file) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

/** `.env` lines for one family: `prefix` is PUSHER_APP, REVERB_APP or SOKETI_DEFAULT_APP. */
const family = (prefix, app) =>
  `${prefix}_ID=${app.id}\n${prefix}_KEY=${app.key}\n${prefix}_SECRET="${app.secret}"\n`;

/** A pusher-js client of `app` receives what the `pusher` SDK with `app`'s id and secret sends. */
async function roundTrip(server, app) {
  const client = await connectedClient(server, { app });
  const channel = await subscribed(client, uniq('env'));
  const got = nextEvent(channel, 'hello');
  await serverSdk(server, app).trigger(channel.name, 'hello', { from: app.id });
  const [data] = await got;
  assert.deepEqual(data, { from: app.id });
  return client;
}

/** Runs `edit` and resolves with the next reload line on stderr (applied or refused). */
async function reloaded(server, edit) {
  const from = server.stderr.length;
  edit();
  return waitUntil(
    () => /config (reloaded: .*|not reloaded, .*)/.exec(server.stderr.slice(from))?.[0],
    { timeout: 5000, what: `a reload line on stderr; stderr so far:\n${server.stderr}` },
  );
}

/** Every `pusher:error` code a pusher-js client reports, however it is wrapped. */
function errorCodes(client) {
  const codes = [];
  client.connection.bind('error', (e) => codes.push(e?.data?.code ?? e?.error?.data?.code));
  return codes;
}

/**
 * pusher-js closes a socket the server already closed (close 4001/4003 → "refused"), and its
 * WebSocket library then arms a 30 s close timer that holds the test process open. Call the
 * returned function once the client is down to clear it (taken while connected).
 */
function closeTimerOf(client) {
  const socket = client.connection.connection?.transport?.socket;
  return () => clearTimeout(socket?._closeTimer);
}

/** A signed trigger on `app` (signed with `secret`) answers with this HTTP status. */
async function triggerStatus(server, app, secret) {
  const res = await triggerRaw(server, { name: 'e', channel: 'c', data: '{}' }, { app, secret });
  return res.status;
}

const LARAVEL = { id: '123456', key: 'laravel-key', secret: 'laravel secret' };
const REVERB = { id: 'reverb-id', key: 'reverb-key', secret: 'reverb-secret' };
const SOKETI = { id: 'soketi-id', key: 'soketi-key', secret: 'soketi-secret' };

describe('3. a project .env is enough to start', () => {
  const cases = [
    [
      'Laravel with the Pusher driver (PUSHER_*, VITE_ copies, an interpolated key)',
      `APP_NAME=Shop\nBROADCAST_DRIVER=pusher\n${family('PUSHER_APP', LARAVEL)}` +
        'VITE_PUSHER_APP_KEY="${PUSHER_APP_KEY}"\n',
      LARAVEL,
    ],
    [
      'Laravel Reverb (REVERB_*)',
      `BROADCAST_CONNECTION=reverb\n${family('REVERB_APP', REVERB)}REVERB_SCHEME=http\n`,
      REVERB,
    ],
    ['soketi (SOKETI_DEFAULT_APP_*)', family('SOKETI_DEFAULT_APP', SOKETI), SOKETI],
  ];
  for (const [name, text, app] of cases) {
    test(`${name}: clients connect and the SDK triggers; the file is unchanged`, async () => {
      const file = writeEnv(text);
      const before = sha256(file);
      const server = await start({ name: '09-env', args: ['--env-file', file] });
      assert.match(server.stdout, new RegExp(`app ${app.id}  key ${app.key}  secret ${app.secret.slice(0, 2)}\\*`));
      assert.doesNotMatch(server.stdout, /app app-id /, 'the .env apps replace the default app');
      await roundTrip(server, app);
      await server.stop();
      assert.equal(sha256(file), before, 'the .env file must never be written');
    });
  }

  test('SWITCHBOARD_ENV_FILE names the file too; one app per distinct key across families', async () => {
    const same = { ...LARAVEL }; // REVERB_* repeating the PUSHER_* app: one app, not two
    const file = writeEnv(family('PUSHER_APP', LARAVEL) + family('REVERB_APP', same) + family('SOKETI_DEFAULT_APP', SOKETI));
    const server = await start({ name: '09-env-var', env: { SWITCHBOARD_ENV_FILE: file } });
    assert.equal(server.stdout.match(/^ {2}app /gm)?.length, 2, server.stdout);
    await roundTrip(server, LARAVEL);
    await roundTrip(server, SOKETI);
  });

  test('warns in plain words about TLS, another port and another host', async () => {
    const file = writeEnv(
      `${family('PUSHER_APP', LARAVEL)}PUSHER_HOST=ws.example.com\nPUSHER_PORT=443\nPUSHER_SCHEME=https\n` +
        `${family('REVERB_APP', REVERB)}REVERB_HOST=localhost\nREVERB_PORT=8080\nREVERB_SCHEME=https\n`,
    );
    const server = await start({ name: '09-warnings', args: ['--env-file', file] });
    const expected = [
      `warning: ${file}:4: PUSHER_HOST=ws.example.com is not this machine`,
      `warning: ${file}:5: PUSHER_PORT=443, but Switchboard listens on port ${server.port}`,
      `warning: ${file}:6: PUSHER_SCHEME=https, but Switchboard serves plain ws:// and http:// (no TLS)`,
      `warning: ${file}:11: REVERB_PORT=8080, but Switchboard listens on port ${server.port}`,
      `warning: ${file}:12: REVERB_SCHEME=https, but`,
    ];
    const warnings = server.stderr.split('\n').filter((l) => l.startsWith('warning: '));
    assert.equal(warnings.length, expected.length, server.stderr);
    expected.forEach((start, i) => assert.ok(warnings[i].startsWith(start), `${warnings[i]}\nexpected: ${start}`));
    await roundTrip(server, REVERB); // warnings only: the server serves the file's apps
  });

  test('a .env that matches the server earns no warning', async () => {
    const port = await freePort();
    const file = writeEnv(`${family('REVERB_APP', REVERB)}REVERB_HOST="localhost"\nREVERB_PORT=${port}\nREVERB_SCHEME=http\n`);
    const args = ['--host', '127.0.0.1', '--port', String(port), '--env-file', file];
    const server = await start({ name: '09-clean', listen: false, args });
    assert.doesNotMatch(server.stderr, /warning/);
  });

  test('a missing or broken .env is a clear error (exit 2)', async () => {
    const missing = await runBinary(['serve', '--port', '0', '--env-file', '/nonexistent/.env']);
    assert.equal(missing.code, 2, missing.stderr);
    assert.match(missing.stderr, /^error: cannot read env file \/nonexistent\/\.env: /);
    const broken = writeEnv('PUSHER_APP_ID=1\nPUSHER_APP_KEY="unclosed\n');
    const result = await runBinary(['serve', '--port', '0', '--env-file', broken]);
    assert.equal(result.code, 2, result.stderr);
    assert.equal(result.stderr.trim().split('\n')[0].startsWith(`error: ${broken}:2: not a valid .env line`), true, result.stderr);
  });
});

describe('4. live reload while clients are connected', () => {
  const A = { id: 'a-id', key: 'a-key', secret: 'a-secret' };
  const B = { id: 'b-id', key: 'b-key', secret: 'b-secret' };
  const C = { id: 'c-id', key: 'c-key', secret: 'c-secret' };

  test('editing the config file adds, changes, disables and removes apps', async () => {
    const configPath = writeConfig(toToml({ apps: [A, B] }));
    const write = (apps) => () => fs.writeFileSync(configPath, toToml({ apps }));
    const server = await start({ name: '09-reload-toml', configPath });
    const a = await roundTrip(server, A);
    const aSocket = a.connection.socket_id;
    const b = await connectedClient(server, { app: B });
    const bCodes = errorCodes(b);
    const releaseB = closeTimerOf(b);
    const bRaw = await connectEstablished(server, { app: B });

    assert.match(await reloaded(server, write([A, B, C])), /reloaded: added c-id/);
    const c = await connectedClient(server, { app: C });
    const releaseC = closeTimerOf(c);
    const cRaw = await connectEstablished(server, { app: C });

    const A2 = { ...A, secret: 'a-secret-2' };
    assert.match(await reloaded(server, write([A2, B, C])), /reloaded: changed a-id/);
    assert.equal(await triggerStatus(server, A, A.secret), 401, 'the old secret is refused');
    assert.equal(await triggerStatus(server, A, A2.secret), 200, 'the new secret is accepted');

    assert.match(await reloaded(server, write([A2, { ...B, enabled: false }, C])), /changed b-id; closed 2 sockets/);
    assert.equal((await bRaw.waitClose()).code, 4003);
    await waitState(b, 'disconnected');
    releaseB();
    assert.ok(bCodes.includes(4003), `pusher-js saw ${JSON.stringify(bCodes)}`);

    assert.match(await reloaded(server, write([A2, { ...B, enabled: false }])), /removed c-id/);
    assert.equal((await cRaw.waitClose()).code, 4001);
    await waitState(c, 'disconnected');
    releaseC();

    const broken = () => fs.writeFileSync(configPath, `${toToml({ apps: [A2] })}max_connections = "x"\n`);
    const refusal = await reloaded(server, broken);
    assert.match(refusal, /not reloaded, the running one stays: .*switchboard\.toml:6:19: apps\[0\]\.max_connections: /);
    assert.equal(await triggerStatus(server, A, A2.secret), 200, 'the running config stays');
    assert.equal(await triggerStatus(server, C, C.secret), 404, 'C stays removed');

    assert.match(await reloaded(server, write([A2, B])), /reloaded: changed b-id/);
    await connectedClient(server, { app: B });
    assert.equal(a.connection.state, 'connected');
    assert.equal(a.connection.socket_id, aSocket, "A's client was never dropped");
    await roundTrip(server, A2);
  });

  test('editing the .env file applies too, and warns about new mismatches', async () => {
    const R = REVERB;
    const envPath = writeEnv(family('PUSHER_APP', LARAVEL) + family('REVERB_APP', R));
    const write = (text) => () => fs.writeFileSync(envPath, text);
    const server = await start({ name: '09-reload-env', args: ['--env-file', envPath] });
    const p = await roundTrip(server, LARAVEL);
    const rRaw = await connectEstablished(server, { app: R });

    const R2 = { ...R, secret: 'reverb-secret-2' };
    let text = family('PUSHER_APP', LARAVEL) + family('REVERB_APP', R2);
    assert.match(await reloaded(server, write(text)), /reloaded: changed reverb-id/);
    assert.equal(await triggerStatus(server, R, R.secret), 401);
    assert.equal(await triggerStatus(server, R, R2.secret), 200);

    text += `${family('SOKETI_DEFAULT_APP', SOKETI)}PUSHER_SCHEME=https\n`;
    assert.match(await reloaded(server, write(text)), /reloaded: added soketi-id/);
    await roundTrip(server, SOKETI);
    await waitUntil(() => /WARN.*PUSHER_SCHEME=https, but Switchboard serves plain/.test(server.stderr), {
      what: 'the new warning on stderr',
    });

    text = family('PUSHER_APP', LARAVEL) + family('SOKETI_DEFAULT_APP', SOKETI);
    assert.match(await reloaded(server, write(text)), /removed reverb-id/);
    assert.equal((await rRaw.waitClose()).code, 4001);

    const refusal = await reloaded(server, write(`${text}BROKEN="unclosed\n`));
    assert.match(refusal, new RegExp(`not reloaded, the running one stays: ${envPath}:7: not a valid \\.env line`));
    assert.equal(await triggerStatus(server, SOKETI, SOKETI.secret), 200);

    // Saved the way many editors do: a new file renamed over the old one.
    const staged = `${envPath}.tmp`;
    const replace = () => {
      fs.writeFileSync(staged, text + family('REVERB_APP', R));
      fs.renameSync(staged, envPath);
    };
    assert.match(await reloaded(server, replace), /reloaded: added reverb-id/);
    await roundTrip(server, R);
    assert.equal(p.connection.state, 'connected', "the Pusher app's client stays connected");
  });
});
