// The desktop app, launched for real under Xvfb: the self-check exits 0; a normal launch runs
// the embedded server, shows the inspector in its window (screenshot kept in tests/artifacts/
// and checked not blank), sees a pusher-js client live (also in the tray, whose pause/resume
// works), hands a second launch over to itself,
// and on SIGTERM closes clients with 4200, flushes the session and exits 0. A taken port
// shows the bundled start-up page instead of dying.

import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { createClient } from '../support/pusher.mjs';
import { connectEstablished } from '../support/raw.mjs';
import { freePort, runBinary } from '../support/server.mjs';
import { waitUntil, withTimeout } from '../support/util.mjs';
import {
  clickTrayItem, deviation, findTray, launch, makeHome, missingPrerequisite, screenshot, trayLabel,
} from './desktop.mjs';

const missing = missingPrerequisite();
const opts = { skip: missing ?? false };
before(() => {
  if (missing) console.log(`# desktop smoke tests skipped: ${missing}`);
});

/** Screenshots the display (tests/artifacts/NAME.png) until the window's page is drawn. */
function shownNotBlank(name) {
  const drawn = async () => (await deviation(await screenshot(name))) > 0.01;
  return waitUntil(drawn, { timeout: 20000, interval: 1000, what: `a drawn window in tests/artifacts/${name}.png` });
}

async function up(port) {
  const response = await fetch(`http://127.0.0.1:${port}/up`);
  return response.ok;
}

test('the self-check exits 0 once the window has loaded the inspector', opts, async () => {
  const port = await freePort();
  const app = launch(makeHome(port), {
    env: { SWITCHBOARD_SELF_CHECK: '1', SWITCHBOARD_SELF_CHECK_TIMEOUT: '90' },
    name: 'desktop-self-check',
  });
  const { code } = await withTimeout(app.exited, 120000, 'the self-check to finish');
  assert.equal(code, 0, app.out.stdout + app.out.stderr);
  assert.match(app.out.stdout, new RegExp(`self-check: OK, the window loaded http://127.0.0.1:${port}/`));
});

test('the app serves, shows a client live, hands over a second launch and quits cleanly', opts, async () => {
  const port = await freePort();
  const home = makeHome(port);
  const app = launch(home, { name: 'desktop-app' });
  try {
    await serveAndQuit(app, home, port);
  } finally {
    await app.quit();
  }
});

async function serveAndQuit(app, home, port) {
  const server = {
    host: '127.0.0.1',
    port,
    wsUrl: (key, query) => `ws://127.0.0.1:${port}/app/${key}${query === null ? '' : `?${query}`}`,
  };
  await waitUntil(() => up(port), { timeout: 60000, interval: 200, what: 'the embedded server' });
  await app.loaded(`http://127.0.0.1:${port}/`);

  const client = createClient(server);
  try {
    await waitUntil(() => client.connection.state === 'connected', { timeout: 10000, what: 'pusher-js to connect' });
    client.subscribe('desktop-smoke');
    const socketId = client.connection.socket_id;
    await waitUntil(
      async () => {
        const state = await (await fetch(`http://127.0.0.1:${port}/inspector/api/state`)).json();
        return JSON.stringify(state).includes(socketId);
      },
      { timeout: 10000, interval: 200, what: `socket ${socketId} in /inspector/api/state` },
    );

    const tray = await waitUntil(findTray, { timeout: 10000, interval: 250, what: 'the tray icon on D-Bus' });
    const label = (expected) =>
      waitUntil(async () => (await trayLabel(tray)) === expected, { timeout: 5000, interval: 200, what: expected });
    await label('Switchboard — 1 connection');
    await clickTrayItem(tray, 'Pause Recording');
    await label('Switchboard — 1 connection (recording paused)');
    await clickTrayItem(tray, 'Resume Recording');
    await label('Switchboard — 1 connection');

    await shownNotBlank('desktop-window');

    const second = launch(home, { name: 'desktop-second-launch' });
    const handed = await withTimeout(second.exited, 30000, 'the second launch to hand over');
    assert.equal(handed.code, 0, second.out.stderr);
    assert.equal(app.exit, null, 'the first instance must keep running');
    assert.ok(await up(port));

    const raw = await connectEstablished(server);
    const { code } = await app.quit();
    assert.equal(code, 0, app.out.stderr);
    assert.equal((await raw.waitClose(5000)).code, 4200);
  } finally {
    client.disconnect();
  }

  const sessions = await runBinary(['sessions', '--data-dir', home.dataDir]);
  assert.equal(sessions.code, 0, sessions.stderr);
  assert.match(sessions.stdout, /\d/, `no session recorded:\n${sessions.stdout}`);
}

test('a taken port shows the start-up page instead of dying', opts, async () => {
  const holder = net.createServer();
  await new Promise((resolve) => holder.listen(0, '127.0.0.1', resolve));
  const { port } = holder.address();
  const app = launch(makeHome(port), { name: 'desktop-port-taken' });
  try {
    await app.loaded('tauri://localhost/startup.html');
    await shownNotBlank('desktop-port-taken');
    assert.equal(app.exit, null, 'the app must keep running');
    assert.match(app.out.stderr, new RegExp(`${port}`));
  } finally {
    const { code } = await app.quit();
    holder.close();
    assert.equal(code, 0, app.out.stderr);
  }
});
