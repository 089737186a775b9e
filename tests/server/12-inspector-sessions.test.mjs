// Issue 4 — sessions (start, stop, rename, delete), export → import round trips through the
// API and the CLI (`sessions`, `export`, `import`, `replay`), a kill -9 leaving earlier
// sessions readable, and the inspector's guard (Host, Origin, token).

import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { runBinary, startServer, tempDir } from '../support/server.mjs';
import { collect, connectedClient, disconnectAllClients, serverSdk, subscribed } from '../support/pusher.mjs';
import { inspector, records, waitRecords } from '../support/inspector.mjs';
import { uniq, waitUntil } from '../support/util.mjs';

const started = [];
afterEach(async () => {
  disconnectAllClients();
  await Promise.all(started.splice(0).map((s) => s.stop({ signal: 'SIGKILL' })));
});

async function start(options = {}) {
  const server = await startServer(options);
  started.push(server);
  return server;
}

/** A server recording into `dataDir`, with some traffic on `channel`. */
async function recordedServer(dataDir, channel) {
  const server = await start({ args: ['--data-dir', dataDir] });
  const client = await connectedClient(server);
  await subscribed(client, channel);
  const sdk = serverSdk(server);
  for (let i = 0; i < 3; i += 1) await sdk.trigger(channel, 'tick', { i });
  // On disk, not only in the live ring: the CLI reads the database file.
  const { body: sessions } = await inspector(server, '/sessions');
  const current = sessions.find((s) => s.current);
  await waitRecords(server, `kind:delivery channel:${channel}`, { count: 3, session: current.id, timeout: 15000 });
  return server;
}

const strip = (r) => JSON.stringify(r);

describe('4.2 sessions', () => {
  test('one session per start; start, rename, stop and delete by API', async () => {
    const server = await start();
    let { body: sessions } = await inspector(server, '/sessions');
    assert.equal(sessions.length, 1);
    assert.equal(sessions[0].current, true);
    const first = sessions[0].id;
    const next = await inspector(server, '/sessions', { method: 'POST', body: { name: 'second' } });
    assert.equal(next.body.name, 'second');
    const renamed = await inspector(server, `/sessions/${first}`, { method: 'PATCH', body: { name: 'first run' } });
    assert.equal(renamed.body.name, 'first run');
    const refused = await inspector(server, `/sessions/${next.body.id}`, { method: 'DELETE' });
    assert.equal(refused.status, 400, 'the current session cannot be deleted');
    assert.equal((await inspector(server, '/sessions/stop', { method: 'POST' })).status, 200);
    assert.equal((await inspector(server, '/info')).body.recording, false);
    assert.equal((await inspector(server, `/sessions/${first}`, { method: 'DELETE' })).status, 200);
    ({ body: sessions } = await inspector(server, '/sessions'));
    assert.deepEqual(sessions.map((s) => s.name), ['second']);
  });

  test('NDJSON export → import loses nothing; HAR export has Chrome\'s websocket messages', async () => {
    const channel = uniq('roundtrip');
    const server = await recordedServer(tempDir(), channel);
    const { body: [session] } = await inspector(server, '/sessions');
    const exported = await fetch(`${server.httpUrl}/inspector/api/sessions/${session.id}/export?format=ndjson`);
    assert.equal(exported.status, 200);
    assert.match(exported.headers.get('content-disposition'), /attachment; filename="switchboard-session-\d+\.ndjson"/);
    const ndjson = await exported.text();
    const lines = ndjson.trim().split('\n');
    assert.equal(JSON.parse(lines[0]).format, 'switchboard-session');
    assert.ok(!ndjson.includes('app-secret'));

    const imported = await inspector(server, '/sessions/import', { method: 'POST', body: ndjson });
    assert.equal(imported.status, 200, JSON.stringify(imported.body));
    assert.equal(imported.body.records, lines.length - 1);
    const original = await records(server, '', { session: session.id, limit: 5000 });
    const copy = await records(server, '', { session: imported.body.id, limit: 5000 });
    assert.deepEqual(copy.map(strip), original.map(strip));

    const har = await (await fetch(`${server.httpUrl}/inspector/api/sessions/${session.id}/export?format=har`)).json();
    assert.equal(har.log.version, '1.2');
    const sockets = har.log.entries.filter((e) => e._resourceType === 'websocket');
    const received = sockets.flatMap((e) => e._webSocketMessages).filter((m) => m.type === 'receive');
    assert.ok(received.some((m) => m.data.includes(channel) && m.data.includes('tick')));
    assert.ok(har.log.entries.some((e) => e.request.method === 'POST' && e.response.status === 200));
    const fromHar = await inspector(server, '/sessions/import', { method: 'POST', body: JSON.stringify(har) });
    assert.equal(fromHar.status, 200, JSON.stringify(fromHar.body));
    assert.ok(fromHar.body.records > 0);
  });

  test('a bad import names what is wrong and stores nothing', async () => {
    const server = await start();
    const before = (await inspector(server, '/sessions')).body.length;
    const bad = await inspector(server, '/sessions/import', { method: 'POST', body: 'not a session\n' });
    assert.equal(bad.status, 400);
    assert.match(bad.body.error, /cannot import/);
    assert.equal((await inspector(server, '/sessions')).body.length, before);
  });
});

describe('4.5 CLI: sessions, export, import, replay', () => {
  test('export and import through the CLI, then replay the file into a live subscriber', async () => {
    const dataDir = tempDir();
    const channel = uniq('cli');
    const server = await recordedServer(dataDir, channel);
    const listed = await runBinary(['sessions', '--data-dir', dataDir]);
    assert.equal(listed.code, 0, listed.stderr);
    const id = /^\s*(\d+)\s/m.exec(listed.stdout.split('\n').slice(1).join('\n'))[1];
    const file = path.join(tempDir(), 'session.ndjson');
    const exported = await runBinary(['export', id, '--format', 'ndjson', '-o', file, '--data-dir', dataDir]);
    assert.equal(exported.code, 0, exported.stderr);
    const ticks = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.includes('"tick"'));
    assert.ok(ticks.length >= 3, `the export holds the three triggers:\n${ticks.join('\n')}`);
    const har = path.join(tempDir(), 'session.har');
    assert.equal((await runBinary(['export', id, '--format', 'har', '-o', har, '--data-dir', dataDir])).code, 0);
    assert.equal(JSON.parse(fs.readFileSync(har, 'utf8')).log.version, '1.2');

    const otherDir = tempDir();
    const imported = await runBinary(['import', file, '--data-dir', otherDir]);
    assert.equal(imported.code, 0, imported.stderr);
    assert.match((await runBinary(['sessions', '--data-dir', otherDir])).stdout, /session|Session/);

    const listener = await connectedClient(server);
    const seen = collect(await subscribed(listener, `${channel}-copy`), 'tick');
    const replay = await runBinary(
      ['replay', file, '--to', server.httpUrl, '--fast', '--rename', `${channel}=${channel}-copy`],
      { timeout: 30000 },
    );
    assert.equal(replay.code, 0, replay.stderr + replay.stdout);
    await waitUntil(() => seen.length === 3, { what: 'three replayed events', timeout: 10000 }).catch((error) => {
      throw new Error(`${error.message}; saw ${JSON.stringify(seen)}; the replay said: ${replay.stdout}`);
    });
    assert.deepEqual(seen.map((e) => e.data.i), [0, 1, 2]);
  });

  test('kill -9 leaves the recorded session readable', async () => {
    const dataDir = tempDir();
    const channel = uniq('crash');
    const server = await recordedServer(dataDir, channel);
    await inspector(server, '/sessions', { method: 'POST', body: { name: 'after' } });
    await server.stop({ signal: 'SIGKILL' });
    const listed = await runBinary(['sessions', '--data-dir', dataDir]);
    assert.equal(listed.code, 0, listed.stderr);
    const id = /^\s*(\d+)\s/m.exec(listed.stdout.split('\n').slice(1).reverse().join('\n'))?.[1];
    const file = path.join(tempDir(), 'crash.ndjson');
    const firstId = listed.stdout.split('\n').slice(1).map((l) => /^\s*(\d+)/.exec(l)?.[1]).filter(Boolean).at(-1);
    assert.ok(id && firstId);
    assert.equal((await runBinary(['export', firstId, '-o', file, '--data-dir', dataDir])).code, 0);
    assert.ok(fs.readFileSync(file, 'utf8').includes(channel), 'the first session kept its records');
  });
});

/** A raw HTTP GET with chosen headers (fetch forbids setting Host). */
function rawGet(server, pathname, headers) {
  return new Promise((resolve, reject) => {
    const request = http.get({ host: server.host, port: server.port, path: pathname, headers }, (response) => {
      let body = '';
      response.on('data', (chunk) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode, body }));
    });
    request.on('error', reject);
  });
}

describe('4.6 security', () => {
  test('a foreign Host or Origin is refused; the inspector\'s own origin is not', async () => {
    const server = await start();
    const own = `${server.host}:${server.port}`;
    assert.equal((await rawGet(server, '/inspector/api/info', { Host: own })).status, 200);
    const rebinding = await rawGet(server, '/inspector/api/info', { Host: `evil.example:${server.port}` });
    assert.equal(rebinding.status, 403);
    assert.match(rebinding.body, /Host/);
    const foreign = await rawGet(server, '/inspector/api/info', { Host: own, Origin: 'http://evil.example' });
    assert.equal(foreign.status, 403);
    const allowed = await rawGet(server, '/inspector/api/info', { Host: own, Origin: `http://${own}` });
    assert.equal(allowed.status, 200);
    const desktop = await rawGet(server, '/inspector/api/state', { Host: own, Origin: 'tauri://localhost' });
    assert.equal(desktop.status, 200);
  });

  test('bound beyond loopback, a token is printed and opens the inspector to any Host', async () => {
    const server = await start({ listen: false, args: ['--host', '0.0.0.0', '--port', '0'] });
    const token = await waitUntil(() => /Inspector token[^:]*: ([0-9a-f]+)/.exec(server.stdout)?.[1], {
      what: 'the token line in the banner',
    });
    const target = { host: '127.0.0.1', port: server.port };
    const named = { Host: `my-laptop.lan:${server.port}` };
    assert.equal((await rawGet(target, '/inspector/api/info', named)).status, 403);
    const authorised = await rawGet(target, '/inspector/api/info', { ...named, Authorization: `Bearer ${token}` });
    assert.equal(authorised.status, 200);
    assert.equal((await rawGet(target, `/inspector/api/info?token=${token}`, named)).status, 200);
    assert.equal((await rawGet(target, '/inspector/api/info?token=wrong', named)).status, 403);
  });
});
