// Starts and stops the built `switchboard` binary for black-box tests.
//
// Every server listens on 127.0.0.1 with `--port 0` unless a test says otherwise; the port is
// read from the first stdout line (`Switchboard listening on http://127.0.0.1:PORT`). Servers
// run in their own temporary working directory with a scrubbed environment, so a developer's
// `.env` or `SWITCHBOARD_*` variables cannot leak in. Output is kept for assertions and written
// to `tests/artifacts/` when the server stops, for debugging CI failures.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { withTimeout } from './util.mjs';

export const REPO_ROOT = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const ARTIFACTS = path.join(REPO_ROOT, 'tests', 'artifacts');
export const LISTEN_RE = /listening on http:\/\/([^:\s]+):(\d+)/;

const live = new Set();
const tempDirs = [];
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

/** The binary under test: `$SWITCHBOARD_BIN`, else `${CARGO_TARGET_DIR:-target}/debug/switchboard`. */
export function binaryPath() {
  const fromEnv = process.env.SWITCHBOARD_BIN;
  if (fromEnv) return path.resolve(fromEnv);
  const targetDir = process.env.CARGO_TARGET_DIR
    ? path.resolve(REPO_ROOT, process.env.CARGO_TARGET_DIR)
    : path.join(REPO_ROOT, 'target');
  return path.join(targetDir, 'debug', 'switchboard');
}

/** Throws the one clear message a missing build deserves. */
export function requireBinary() {
  const bin = binaryPath();
  if (!fs.existsSync(bin)) {
    throw new Error(
      `switchboard binary not found at ${bin}: build it with \`cargo build -p switchboard\` ` +
        '(or point SWITCHBOARD_BIN at a built binary)',
    );
  }
  return bin;
}

/** A fresh temporary directory, removed when the test process exits. */
export function tempDir(prefix = 'switchboard-test-') {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.push(dir); // removed when the test process exits
  return dir;
}

/** Writes `text` to `<fresh tmp dir>/switchboard.toml` and returns its path. */
export function writeConfig(text) {
  const file = path.join(tempDir(), 'switchboard.toml');
  fs.writeFileSync(file, text);
  return file;
}

function tomlValue(value) {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new Error(`cannot encode ${typeof value} as TOML here`);
}

/** Renders `{ settings..., apps: [{...}] }` as a switchboard.toml. */
export function toToml({ apps = [], ...settings } = {}) {
  const lines = Object.entries(settings).map(([k, v]) => `${k} = ${tomlValue(v)}`);
  for (const app of apps) {
    lines.push('', '[[apps]]');
    for (const [k, v] of Object.entries(app)) lines.push(`${k} = ${tomlValue(v)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The environment a server child gets: ours minus anything that could configure it. */
function childEnv(extra = {}) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(SWITCHBOARD_|PUSHER_|REVERB_|SOKETI_|RUST_LOG$)/.test(k)) continue;
    env[k] = v;
  }
  const home = tempDir('switchboard-home-');
  Object.assign(env, { HOME: home, XDG_DATA_HOME: path.join(home, 'data'), NO_COLOR: '1' });
  return Object.assign(env, extra);
}

let artifactCounter = 0;

function saveArtifact(name, stdout, stderr) {
  try {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    artifactCounter += 1;
    const file = path.join(ARTIFACTS, `${name}-${process.pid}-${artifactCounter}.log`);
    fs.writeFileSync(file, `--- stdout ---\n${stdout}\n--- stderr ---\n${stderr}\n`);
  } catch {
    // Artifacts are a debugging aid only.
  }
}

/** Spawns the binary with `args`; collects output; `exited` resolves to `{code, signal}`. */
export function spawnBinary(args, { env = {}, cwd } = {}) {
  const bin = requireBinary();
  const child = spawn(bin, args, {
    cwd: cwd ?? tempDir('switchboard-cwd-'),
    env: childEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return { child, ...watch(child) };
}

/**
 * Collects a spawned child's output and kills it if the test process exits first; `exited`
 * resolves to `{code, signal}` (with `error` when it could not start).
 */
export function watch(child) {
  live.add(child);
  const out = { stdout: '', stderr: '' };
  child.stdout.setEncoding('utf8').on('data', (s) => (out.stdout += s));
  child.stderr.setEncoding('utf8').on('data', (s) => (out.stderr += s));
  const exited = new Promise((resolve) => {
    child.on('error', (error) => {
      live.delete(child);
      resolve({ code: null, signal: null, error });
    });
    child.on('exit', (code, signal) => {
      live.delete(child);
      resolve({ code, signal });
    });
  });
  return { out, exited };
}

/** Runs the binary to completion (killed after `timeout` ms). */
export async function runBinary(args, { env = {}, timeout = 10000 } = {}) {
  const { child, out, exited } = spawnBinary(args, { env });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, timeout);
  const result = await exited;
  clearTimeout(timer);
  // Let the pipes drain.
  await new Promise((resolve) => setImmediate(resolve));
  return { ...result, timedOut, stdout: out.stdout, stderr: out.stderr };
}

/**
 * Starts `switchboard serve` and waits until it prints where it listens.
 *
 * Options: `config` (TOML text, or an object for `toToml`), `configPath`, `env`, `args` (extra
 * flags), `listen: false` to omit `--host 127.0.0.1 --port 0`, `name` for the artifact file.
 * Unless `args` or `env` name one, the server gets a fresh `--data-dir`.
 */
export async function startServer(options = {}) {
  const { config, configPath, env = {}, args = [], listen = true, name = 'server' } = options;
  const argv = ['serve'];
  if (listen) argv.push('--host', '127.0.0.1', '--port', '0');
  if (config !== undefined) {
    argv.push('--config', writeConfig(typeof config === 'string' ? config : toToml(config)));
  } else if (configPath) {
    argv.push('--config', configPath);
  }
  argv.push(...args);
  // Each server records into its own data directory (never the developer's).
  if (!args.includes('--data-dir') && !env.SWITCHBOARD_DATA_DIR) argv.push('--data-dir', tempDir('switchboard-data-'));

  const { child, out, exited } = spawnBinary(argv, { env });
  let exit = null;
  exited.then((r) => (exit = r));

  const listening = new Promise((resolve, reject) => {
    const check = () => {
      const m = LISTEN_RE.exec(out.stdout);
      if (m) resolve({ host: m[1], port: Number(m[2]) });
    };
    child.stdout.on('data', check);
    exited.then((r) =>
      reject(
        new Error(
          `switchboard exited before listening (code ${r.code}, signal ${r.signal}${
            r.error ? `, ${r.error.message}` : ''
          })\nargs: ${argv.join(' ')}\nstdout:\n${out.stdout}\nstderr:\n${out.stderr}`,
        ),
      ),
    );
  });

  let addr;
  try {
    addr = await withTimeout(listening, 15000, `"listening on" from switchboard ${argv.join(' ')}`);
  } catch (err) {
    child.kill('SIGKILL');
    saveArtifact(`${name}-failed-start`, out.stdout, out.stderr);
    throw err;
  }

  const server = {
    ...addr,
    argv,
    child,
    exited,
    get stdout() {
      return out.stdout;
    },
    get stderr() {
      return out.stderr;
    },
    get exit() {
      return exit;
    },
    httpUrl: `http://${addr.host}:${addr.port}`,
    wsUrl(key, query = 'protocol=7&client=js&version=8.6.0&flash=false') {
      return `ws://${addr.host}:${addr.port}/app/${key}${query === null ? '' : `?${query}`}`;
    },
    /** Sends `signal` and waits for exit (SIGKILL after `timeout`); returns `{code, signal}`. */
    async stop({ signal = 'SIGTERM', timeout = 5000 } = {}) {
      if (exit === null) child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), timeout);
      const result = await exited;
      clearTimeout(timer);
      saveArtifact(name, out.stdout, out.stderr);
      return result;
    },
  };
  return server;
}

/** Finds a currently free TCP port on 127.0.0.1 (racy by nature; use only when a test must). */
export async function freePort() {
  const net = await import('node:net');
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}
