// One switchboard + one Chromium page per spec file: starts the real binary on a free
// port, opens the inspector UI it serves, and tears everything down afterwards.
import { after, before } from 'node:test';
import path from 'node:path';
import { startServer } from '../../support/server.mjs';
import { startDevProxy } from './devProxy.mjs';
import { waitUntil } from '../../support/util.mjs';
import { launch, screenshot } from './browser.mjs';
import { disconnectAll } from './clients.mjs';

export { waitUntil };
export { sleep, uniq } from '../../support/util.mjs';

/**
 * Registers before/after hooks and returns a handle filled in once they ran:
 * `{ server, page, shot(name), open(view) }`. Options go to startServer (or a function,
 * called in `before`, that returns them — for configs naming other servers' ports).
 */
export function harness(name, options = {}) {
  const h = { server: null, browser: null, page: null, proxy: null, uiUrl: null };
  before(async () => {
    // startServer gives the child a fresh HOME / XDG_DATA_HOME, so sessions start empty.
    const resolved = typeof options === 'function' ? await options() : options;
    h.server = await startServer({ name: `ui-${name}`, ...resolved });
    h.uiUrl = h.server.httpUrl;
    if (process.env.SWITCHBOARD_UI_DIST) {
      h.proxy = await startDevProxy(path.resolve(process.env.SWITCHBOARD_UI_DIST), h.server);
      h.uiUrl = h.proxy.url;
    }
    h.browser = await launch();
    h.page = h.browser.page;
    h.page.setDefaultTimeout(10000);
    await h.open('timeline');
  });
  after(async () => {
    disconnectAll();
    if (h.browser?.errors.length) console.error(`page errors in ${name}:`, h.browser.errors);
    await h.browser?.close();
    await h.proxy?.close();
    await h.server?.stop();
  });
  h.open = async (view) => {
    await h.page.goto(`${h.uiUrl}/#/${view}`);
    await h.page.waitForSelector('.app');
  };
  h.shot = (shotName) => screenshot(h.page, `${name}-${shotName}`);
  /** Waits for the timeline to show a row whose text contains all of `parts`. */
  h.row = async (...parts) => {
    let loc = h.page.locator('.row[data-seq]');
    for (const p of parts) loc = loc.filter({ hasText: p });
    await loc.first().waitFor();
    return loc.first();
  };
  h.api = async (path, init) => {
    const res = await fetch(`${h.server.httpUrl}/inspector/api${path}`, init);
    const text = await res.text();
    if (!res.ok) throw new Error(`${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : null;
  };
  return h;
}
