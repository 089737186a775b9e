// Issue item 7 — the CLI: `switchboard serve` prints where it listens and the apps (secrets
// masked), /up, /metrics (Prometheus text, per app), graceful SIGINT/SIGTERM (4200, exit 0),
// a taken port is a one-line error and a non-zero exit.

import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { runBinary, startServer } from '../support/server.mjs';
import { closeAllRaw, connectEstablished } from '../support/raw.mjs';
import { assertPusherError } from '../support/expect.mjs';
import { serverSdk } from '../support/pusher.mjs';
import { apiRequest, plainGet } from '../support/http.mjs';
import { channelAuth } from '../support/sign.mjs';
import { waitUntil, withTimeout } from '../support/util.mjs';

const started = [];
afterEach(async () => {
  closeAllRaw();
  await Promise.all(started.splice(0).map((s) => s.stop({ signal: 'SIGKILL' })));
});

async function start(options) {
  const s = await startServer(options);
  started.push(s);
  return s;
}

const SECRET_A = 'sk-alpha-0123456789abcdef0123456789abcdef';
const SECRET_B = 'sk-beta-fedcba9876543210fedcba9876543210';
const A = { id: 'alpha-id', key: 'alpha-key', secret: SECRET_A };
const B = { id: 'beta-id', key: 'beta-key', secret: SECRET_B };

/** Parses Prometheus text into [{name, labels, value}]. */
function parseMetrics(text) {
  const samples = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const labels = {};
    for (const [, k, v] of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[k] = v;
    samples.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return samples;
}

function metric(samples, name, labels) {
  const hit = samples.find(
    (s) =>
      s.name === name &&
      Object.keys(s.labels).length === Object.keys(labels).length &&
      Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  return hit?.value;
}

async function metrics(server) {
  const res = await plainGet(server, '/metrics');
  assert.equal(res.status, 200);
  return { res, samples: parseMetrics(res.text) };
}

describe('7. switchboard serve: start-up output', () => {
  test('the first stdout line is "Switchboard listening on http://127.0.0.1:PORT"', async () => {
    const s = await start({ name: '07-first-line' });
    const first = s.stdout.split('\n')[0].trim();
    assert.equal(first, `Switchboard listening on http://127.0.0.1:${s.port}`);
    assert.ok(s.port > 0);
  });

  test('lists the apps with id and key but never the secrets, even after traffic', async () => {
    const s = await start({ name: '07-secrets', config: { apps: [A, B] } });
    await waitUntil(() => s.stdout.includes('beta-key'), { what: 'the app list on stdout', timeout: 3000 });
    for (const text of ['alpha-id', 'alpha-key', 'beta-id', 'beta-key']) {
      assert.ok(s.stdout.includes(text), `stdout should mention ${text}:\n${s.stdout}`);
    }
    // Traffic that could tempt a logger: good and bad signatures on both sides.
    const socket = await connectEstablished(s, { app: A });
    await socket.subscribeOk('private-x');
    socket.subscribe('private-y', channelAuth({ ...A, secret: 'nope' }, socket.socketId, 'private-y'));
    await socket.waitEvent('pusher:error');
    await serverSdk(s, A).trigger('x', 'e', {});
    const denied = await apiRequest(s, {
      path: `/apps/${B.id}/events`,
      app: B,
      secret: 'nope',
      body: { name: 'e', channel: 'c', data: '' },
    });
    assert.equal(denied.status, 401);
    assert.ok(!denied.text.includes(SECRET_B), 'a 401 body must not reveal the secret');
    await socket.close();
    const { code } = await s.stop({ signal: 'SIGTERM' });
    assert.equal(code, 0);
    for (const secret of [SECRET_A, SECRET_B]) {
      assert.ok(!s.stdout.includes(secret), 'a secret appeared on stdout');
      assert.ok(!s.stderr.includes(secret), 'a secret appeared on stderr');
    }
  });

  test('the default app secret is masked too', async () => {
    const s = await start({ name: '07-default-secret' });
    await waitUntil(() => s.stdout.includes('app-key'), { what: 'the default app on stdout', timeout: 3000 });
    assert.ok(!`${s.stdout}${s.stderr}`.includes('app-secret'), `output:\n${s.stdout}\n${s.stderr}`);
  });

  test('serve --help documents --config, --host and --port', async () => {
    const r = await runBinary(['serve', '--help']);
    assert.equal(r.code, 0, r.stderr);
    for (const flag of ['--config', '--host', '--port']) assert.ok(r.stdout.includes(flag), `--help lacks ${flag}`);
  });
});

describe('7. /up and /metrics', () => {
  test('/up answers 200', async () => {
    const s = await start({ name: '07-up' });
    assert.equal((await plainGet(s, '/up')).status, 200);
  });

  test('/metrics serves Prometheus text with per-app figures', async () => {
    const s = await start({ name: '07-metrics', config: { apps: [A, B] } });
    const a1 = await connectEstablished(s, { app: A });
    const a2 = await connectEstablished(s, { app: A });
    const b1 = await connectEstablished(s, { app: B });
    await a1.subscribeOk('news');
    await a2.subscribeOk('news');
    await b1.subscribeOk('x');
    await b1.subscribeOk('y');
    const sdkA = serverSdk(s, A);
    await sdkA.trigger('news', 'one', {});
    await sdkA.trigger('news', 'two', {});
    await a1.waitEvent('two');
    await a2.waitEvent('two');

    const expected = [
      ['switchboard_connections', { app: 'alpha-id' }, 2],
      ['switchboard_connections', { app: 'beta-id' }, 1],
      ['switchboard_channels', { app: 'alpha-id' }, 1],
      ['switchboard_channels', { app: 'beta-id' }, 2],
      ['switchboard_api_requests_total', { app: 'alpha-id', status: '200' }, 2],
    ];
    let last;
    try {
      await waitUntil(
        async () => {
          last = await metrics(s);
          return expected.every(([n, l, v]) => metric(last.samples, n, l) === v);
        },
        { what: 'the expected metric values', timeout: 3000 },
      );
    } catch (err) {
      err.message += `\n/metrics:\n${last?.res.text}`;
      throw err;
    }
    assert.match(last.res.headers.get('content-type') ?? '', /^text\/plain/);
    assert.match(last.res.text, /^# TYPE switchboard_connections gauge$/m);
    assert.match(last.res.text, /^# TYPE switchboard_messages_in_total counter$/m);
    assert.ok(metric(last.samples, 'switchboard_messages_in_total', { app: 'alpha-id' }) > 0, last.res.text);
    assert.ok(metric(last.samples, 'switchboard_messages_out_total', { app: 'alpha-id' }) > 0, last.res.text);

    await a2.close();
    await waitUntil(async () => metric((await metrics(s)).samples, 'switchboard_connections', { app: 'alpha-id' }) === 1, {
      what: 'switchboard_connections to drop to 1',
    });
  });
});

describe('7. graceful shutdown', () => {
  for (const signal of ['SIGINT', 'SIGTERM']) {
    test(`${signal}: clients get pusher:error 4200 and close 4200; exit code 0`, async () => {
      const s = await start({ name: `07-${signal}` });
      const sockets = [await connectEstablished(s), await connectEstablished(s)];
      s.child.kill(signal);
      for (const socket of sockets) {
        const { code } = await socket.waitClose(5000);
        assert.equal(code, 4200, socket.describe());
        assertPusherError(socket.events('pusher:error').at(-1) ?? {}, 4200);
      }
      const exit = await withTimeout(s.exited, 5000, `switchboard to exit after ${signal}`);
      assert.equal(exit.code, 0, `exit ${JSON.stringify(exit)}\nstderr:\n${s.stderr}`);
    });
  }
});

describe('7. a port that is already taken', () => {
  test('a clear one-line error on stderr and a non-zero exit', async () => {
    const blocker = net.createServer();
    await new Promise((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address();
    try {
      const r = await runBinary(['serve', '--host', '127.0.0.1', '--port', String(port)], { timeout: 8000 });
      assert.equal(r.timedOut, false, 'switchboard must exit, not hang');
      assert.notEqual(r.code, 0);
      assert.doesNotMatch(r.stdout, /listening on/);
      const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
      const errorLines = lines.filter((l) => l.includes(String(port)));
      assert.equal(errorLines.length, 1, `one line naming port ${port}; stderr:\n${r.stderr}`);
      assert.match(errorLines[0], /in use|already|taken|bind|address/i);
      assert.doesNotMatch(r.stderr, /panicked|RUST_BACKTRACE|stack backtrace/);
    } finally {
      blocker.close();
    }
  });
});
