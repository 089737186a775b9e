// The inspector API as tests use it: JSON requests, record polling, and the live stream.

import WebSocket from 'ws';
import { waitUntil, withTimeout } from './util.mjs';

/** `fetch` on the inspector API; returns `{status, body}` (JSON when it parses, else text). */
export async function inspector(server, path, { method = 'GET', body, headers = {} } = {}) {
  const init = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    if (typeof body !== 'string') init.headers['content-type'] = 'application/json';
  }
  const response = await fetch(`${server.httpUrl}/inspector/api${path}`, init);
  const text = await response.text();
  let parsed = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // plain-text answers (403 refusals) stay text
  }
  return { status: response.status, body: parsed, headers: response.headers };
}

/** The records matching `filter` (newest `limit`). */
export async function records(server, filter = '', { session, limit = 2000 } = {}) {
  const query = new URLSearchParams({ filter, limit: String(limit) });
  if (session !== undefined) query.set('session', String(session));
  const { status, body } = await inspector(server, `/records?${query}`);
  if (status !== 200) throw new Error(`GET /records ${status}: ${JSON.stringify(body)}`);
  return body.records;
}

/**
 * Polls until `filter` matches at least `count` records (or `pred` holds); returns them.
 * With `session`, it polls that session on disk rather than the live ring.
 */
export function waitRecords(server, filter, { count = 1, pred = () => true, timeout = 5000, session } = {}) {
  return waitUntil(
    async () => {
      const found = (await records(server, filter, { session })).filter(pred);
      return found.length >= count ? found : null;
    },
    { timeout, what: `${count} record(s) matching ${JSON.stringify(filter)}` },
  );
}

/** Opens the live stream; collects every message. */
export async function openStream(server, filter = '') {
  const url = `ws://${server.host}:${server.port}/inspector/api/stream?filter=${encodeURIComponent(filter)}`;
  const ws = new WebSocket(url);
  const messages = [];
  ws.on('message', (data) => messages.push(JSON.parse(data.toString())));
  await withTimeout(new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  }), 3000, 'the inspector stream to open');
  const stream = {
    ws,
    messages,
    records: () => messages.filter((m) => m.type === 'records').flatMap((m) => m.records),
    send: (message) => ws.send(JSON.stringify(message)),
    close: () => ws.terminate(),
  };
  return stream;
}
