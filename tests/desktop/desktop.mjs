// Launches the built desktop app (`switchboard-desktop`) for the smoke tests, in a throwaway
// home: its settings (`switchboard.toml` on a free port), data and WebKit caches all live in a
// temporary directory, never the developer's. Needs an X display (run under xvfb-run).

import { spawn, execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { ARTIFACTS, REPO_ROOT, tempDir, watch } from '../support/server.mjs';
import { waitUntil } from '../support/util.mjs';

const run = promisify(execFile);

/** `$SWITCHBOARD_DESKTOP_BIN`, else `${CARGO_TARGET_DIR:-target}/debug/switchboard-desktop`. */
export function desktopBinary() {
  if (process.env.SWITCHBOARD_DESKTOP_BIN) return path.resolve(process.env.SWITCHBOARD_DESKTOP_BIN);
  const target = process.env.CARGO_TARGET_DIR
    ? path.resolve(REPO_ROOT, process.env.CARGO_TARGET_DIR)
    : path.join(REPO_ROOT, 'target');
  return path.join(target, 'debug', 'switchboard-desktop');
}

/** Why the smoke tests cannot run here, or null. */
export function missingPrerequisite() {
  if (!process.env.DISPLAY) return 'no X display: run under xvfb-run (scripts/test.sh does)';
  if (!fs.existsSync(desktopBinary())) {
    return `${desktopBinary()} is not built: cargo build --workspace`;
  }
  return null;
}

/** A home for one or more launches: XDG dirs under one temp dir, settings on `port`. */
export function makeHome(port) {
  const root = tempDir('switchboard-desktop-');
  const dirs = {
    XDG_CONFIG_HOME: path.join(root, 'config'),
    XDG_DATA_HOME: path.join(root, 'data'),
    XDG_CACHE_HOME: path.join(root, 'cache'),
  };
  const config = path.join(dirs.XDG_CONFIG_HOME, 'dev.switchboard.desktop');
  fs.mkdirSync(config, { recursive: true });
  const toml = `host = "127.0.0.1"\nport = ${port}\n\n[[apps]]\nid = "app-id"\nkey = "app-key"\n` +
    'secret = "app-secret"\nenable_client_messages = true\n';
  fs.writeFileSync(path.join(config, 'switchboard.toml'), toml);
  return { root, env: dirs, dataDir: path.join(dirs.XDG_DATA_HOME, 'dev.switchboard.desktop') };
}

/** Starts the app in `home`; output is collected; `exited` resolves to `{code, signal}`. */
export function launch(home, { env = {}, name = 'desktop' } = {}) {
  const child = spawn(desktopBinary(), [], {
    cwd: home.root,
    env: {
      PATH: process.env.PATH,
      HOME: home.root,
      DISPLAY: process.env.DISPLAY,
      XAUTHORITY: process.env.XAUTHORITY ?? '',
      DBUS_SESSION_BUS_ADDRESS: process.env.DBUS_SESSION_BUS_ADDRESS ?? '',
      NO_PROXY: '127.0.0.1,localhost',
      WEBKIT_DISABLE_DMABUF_RENDERER: '1',
      RUST_LOG: 'info',
      ...home.env,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const { out, exited } = watch(child);
  exited.then(() => {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    fs.writeFileSync(path.join(ARTIFACTS, `${name}.log`), `${out.stdout}\n--- stderr ---\n${out.stderr}`);
  });
  let exit = null;
  exited.then((r) => (exit = r));
  return {
    child,
    out,
    exited,
    get exit() {
      return exit;
    },
    /** Waits until the log says the window loaded a URL starting with `prefix`. */
    async loaded(prefix, timeout = 60000) {
      const seen = () => out.stderr.split('\n').some((l) => l.includes(`window loaded ${prefix}`));
      await waitUntil(() => seen() || exit, { timeout, interval: 100, what: `the window to load ${prefix}` });
      if (!seen()) throw new Error(`the app exited (${JSON.stringify(exit)}) before loading ${prefix}:\n${out.stderr}`);
    },
    /** SIGTERM, then the exit (SIGKILL after `timeout`). */
    async quit(timeout = 20000) {
      if (exit === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeout);
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
  };
}

/** Screenshots the whole X display into tests/artifacts/NAME.png; returns the path. */
export async function screenshot(name) {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.png`);
  await run('import', ['-window', 'root', file]);
  return file;
}

/**
 * The standard deviation of the pixels of the window's web view (the 1280x820 window sits at
 * the top left of the display; below its 24-pixel menu bar): 0 when the page is blank.
 */
export async function deviation(file) {
  const convert = fs.existsSync('/usr/bin/convert') ? '/usr/bin/convert' : 'convert';
  const view = ['-crop', '1200x700+0+40', '+repage'];
  const { stdout } = await run(convert, [file, ...view, '-format', '%[fx:standard_deviation]', 'info:']);
  return Number(stdout.trim());
}

/**
 * The app's tray icon as Ayatana exports it on the session bus (`{name, path}`), or null.
 * No panel is needed: the item is on the bus whether or not something shows it.
 */
export async function findTray() {
  const gdbus = (...args) => run('gdbus', ['call', '--session', ...args]);
  const { stdout } = await gdbus('--dest', 'org.freedesktop.DBus', '--object-path', '/org/freedesktop/DBus',
    '--method', 'org.freedesktop.DBus.ListNames');
  for (const name of (stdout.match(/':\d+\.\d+'/g) ?? []).map((s) => s.slice(1, -1))) {
    try {
      const { stdout: xml } = await run('gdbus', ['introspect', '--session', '--dest', name,
        '--object-path', '/org/ayatana/NotificationItem']);
      const node = /node (\w+) \{/.exec(xml);
      if (node) return { name, path: `/org/ayatana/NotificationItem/${node[1]}` };
    } catch {
      // not this connection
    }
  }
  return null;
}

/** The label the tray shows beside its icon (e.g. `Switchboard — 1 connection`). */
export async function trayLabel(tray) {
  const { stdout } = await run('gdbus', ['call', '--session', '--dest', tray.name, '--object-path', tray.path,
    '--method', 'org.freedesktop.DBus.Properties.Get', 'org.kde.StatusNotifierItem', 'XAyatanaLabel']);
  return /<'([^']*)'>/.exec(stdout)?.[1] ?? null;
}

/** The tray menu's items: `[{id, label}]`. */
export async function trayItems(tray) {
  const { stdout } = await run('gdbus', ['call', '--session', '--dest', tray.name, '--object-path',
    `${tray.path}/Menu`, '--method', 'com.canonical.dbusmenu.GetLayout', '--', '0', '-1', '@as []']);
  return [...stdout.matchAll(/\((\d+), \{[^}]*'label': <'([^']*)'>/g)].map((m) => ({ id: m[1], label: m[2] }));
}

/** Clicks the tray menu item labelled `label`, as a panel would. */
export async function clickTrayItem(tray, label) {
  const item = (await trayItems(tray)).find((i) => i.label === label);
  if (!item) throw new Error(`no tray item ${JSON.stringify(label)}`);
  await run('gdbus', ['call', '--session', '--dest', tray.name, '--object-path', `${tray.path}/Menu`,
    '--method', 'com.canonical.dbusmenu.Event', '--', item.id, 'clicked', '<0>', '0']);
}
