// A raw WebSocket client for exact-frame assertions: it records every frame the server sends,
// awaits predicates with timeouts, and can stay silent to play a dead client.

import WebSocket from 'ws';
import { DEFAULT_APP } from './pusher.mjs';
import { channelAuth, userAuth } from './sign.mjs';
import { decodeData, withTimeout } from './util.mjs';

export const PUSHER_JS_QUERY = 'protocol=7&client=js&version=8.6.0&flash=false';
export const SOCKET_ID_RE = /^\d+\.\d+$/;

const sockets = new Set();

/** Closes every raw socket opened so far (call from `after`/`afterEach`). */
export function closeAllRaw() {
  for (const s of sockets) s.ws.terminate();
  sockets.clear();
}

export class RawSocket {
  constructor(ws, app) {
    this.ws = ws;
    this.app = app;
    /** Parsed frames in arrival order; unparsable text is kept as `{unparsed}`. */
    this.frames = [];
    /** The same frames as the exact text received. */
    this.raws = [];
    /** WebSocket protocol ping frames received (payloads). */
    this.pings = [];
    this.socketId = null;
    this.closeInfo = null;
    this.waiters = new Set();
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        this.closeInfo = { code, reason: reason.toString() };
        for (const w of this.waiters) w.check();
        resolve(this.closeInfo);
      });
    });
    ws.on('message', (buf) => {
      const text = buf.toString('utf8');
      let frame;
      try {
        frame = JSON.parse(text);
      } catch {
        frame = { unparsed: text };
      }
      this.frames.push(frame);
      this.raws.push(text);
      for (const w of this.waiters) w.check();
    });
    ws.on('ping', (payload) => this.pings.push(payload));
    ws.on('error', () => {});
  }

  get isOpen() {
    return this.ws.readyState === WebSocket.OPEN;
  }

  send(frame) {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  describe(from = 0) {
    const list = this.raws.slice(from).map((r) => `  ${r.length > 300 ? `${r.slice(0, 300)}…` : r}`);
    const close = this.closeInfo ? `\n  (closed ${this.closeInfo.code} ${this.closeInfo.reason})` : '';
    return `frames since #${from}:\n${list.join('\n') || '  (none)'}${close}`;
  }

  /**
   * Resolves with the first frame at index >= `from` matching `pred(frame, index)`. Rejects on
   * timeout, or as soon as the socket is closed without a match.
   */
  waitFor(pred, { timeout = 3000, what = 'a matching frame', from = 0 } = {}) {
    let waiter;
    const found = new Promise((resolve, reject) => {
      waiter = {
        check: () => {
          for (let i = from; i < this.frames.length; i += 1) {
            if (pred(this.frames[i], i)) {
              this.waiters.delete(waiter);
              resolve(Object.assign({}, this.frames[i], { index: i }));
              return;
            }
          }
          if (this.closeInfo) {
            this.waiters.delete(waiter);
            reject(new Error(`socket closed while waiting for ${what}; ${this.describe(from)}`));
          }
        },
      };
      this.waiters.add(waiter);
      waiter.check();
    });
    return withTimeout(found, timeout, what).catch((err) => {
      this.waiters.delete(waiter);
      if (/timed out/.test(err.message)) err.message += `; ${this.describe(from)}`;
      throw err;
    });
  }

  /** Waits for `event` (optionally on `channel`). */
  waitEvent(event, { channel, timeout, from = 0 } = {}) {
    return this.waitFor(
      (f) => f.event === event && (channel === undefined || f.channel === channel),
      { timeout, from, what: `"${event}"${channel ? ` on ${channel}` : ''}` },
    );
  }

  /** Frames at index >= `from` matching `pred`. */
  find(pred, from = 0) {
    return this.frames.slice(from).filter(pred);
  }

  /** Frames of `event` (optionally on `channel`) at index >= `from`. */
  events(event, channel, from = 0) {
    return this.find((f) => f.event === event && (channel === undefined || f.channel === channel), from);
  }

  /** Waits for `pusher:connection_established`; records and returns its decoded data. */
  async established(timeout = 3000) {
    const frame = await this.waitEvent('pusher:connection_established', { timeout });
    const data = decodeData(frame.data);
    this.socketId = data.socket_id;
    return data;
  }

  /**
   * Sends `pusher:ping` and waits for the answering `pusher:pong`. Every frame the server
   * produced for this socket before it handled the ping has then arrived, so a negative check
   * on earlier frames is meaningful. Returns the index of the pong.
   */
  async barrier(timeout = 3000) {
    const from = this.frames.length;
    this.send({ event: 'pusher:ping', data: {} });
    const pong = await this.waitEvent('pusher:pong', { from, timeout });
    return pong.index;
  }

  /** Waits for the close; returns `{code, reason}`. */
  waitClose(timeout = 3000) {
    return withTimeout(this.closed, timeout, `the server to close the socket; ${this.describe()}`);
  }

  subscribe(channel, extra = {}) {
    this.send({ event: 'pusher:subscribe', data: { channel, auth: '', ...extra } });
  }

  /** Subscribes with a correct signature (`presence` = `{user_id, user_info}` for presence). */
  subscribeSigned(channel, presence) {
    this.subscribe(channel, channelAuth(this.app, this.socketId, channel, presence));
  }

  /** Subscribes (signed when the channel needs it) and waits for `subscription_succeeded`. */
  async subscribeOk(channel, presence, timeout = 3000) {
    const from = this.frames.length;
    const needsAuth = /^(private-|presence-)/.test(channel);
    if (needsAuth) this.subscribeSigned(channel, presence);
    else this.subscribe(channel);
    const frame = await this.waitFor(
      (f) =>
        f.channel === channel &&
        ['pusher_internal:subscription_succeeded', 'pusher:subscription_error', 'pusher:error'].includes(
          f.event,
        ),
      { from, timeout, what: `subscription_succeeded on ${channel}` },
    );
    if (frame.event !== 'pusher_internal:subscription_succeeded') {
      throw new Error(`subscribe to ${channel} failed: ${this.raws[frame.index]}`);
    }
    return decodeData(frame.data);
  }

  unsubscribe(channel) {
    this.send({ event: 'pusher:unsubscribe', data: { channel } });
  }

  /** Sends a correctly signed `pusher:signin`; returns the user_data string sent. */
  signin(userData) {
    const signed = userAuth(this.app, this.socketId, userData);
    this.send({ event: 'pusher:signin', data: signed });
    return signed.user_data;
  }

  /** Signs in and waits for `pusher:signin_success`. */
  async signinOk(userData, timeout = 3000) {
    const from = this.frames.length;
    const sent = this.signin(userData);
    const frame = await this.waitFor((f) => ['pusher:signin_success', 'pusher:error'].includes(f.event), {
      from,
      timeout,
      what: 'pusher:signin_success',
    });
    if (frame.event !== 'pusher:signin_success') {
      throw new Error(`signin failed: ${this.raws[frame.index]}`);
    }
    return { frame, sent };
  }

  clientEvent(channel, event, data) {
    this.send({ event, channel, data });
  }

  /** Closes from our side and waits for the close handshake (terminates after 2 s). */
  async close(code = 1000) {
    if (this.closeInfo) return this.closeInfo;
    this.ws.close(code);
    const timer = setTimeout(() => this.ws.terminate(), 2000);
    const info = await this.closed;
    clearTimeout(timer);
    return info;
  }
}

/**
 * Opens a raw socket to `/app/{key}?{query}` and resolves once the WebSocket is open (before
 * any Pusher frame). Options: `app` (credentials for signing; its key is used unless `key` is
 * given), `key`, `query` (null for none), `autoPong` (answer WebSocket pings; default true).
 */
export function connectRaw(server, { app = DEFAULT_APP, key, query = PUSHER_JS_QUERY, autoPong = true } = {}) {
  const url = server.wsUrl(key ?? app.key, query);
  const ws = new WebSocket(url, { autoPong, perMessageDeflate: false, handshakeTimeout: 3000 });
  const socket = new RawSocket(ws, app);
  sockets.add(socket);
  const opened = new Promise((resolve, reject) => {
    ws.once('open', () => resolve(socket));
    ws.once('unexpected-response', (_req, res) => {
      ws.terminate();
      reject(new Error(`WebSocket upgrade to ${url} answered HTTP ${res.statusCode}`));
    });
    ws.once('error', (err) => reject(new Error(`WebSocket to ${url} failed: ${err.message}`)));
  });
  return withTimeout(opened, 4000, `WebSocket open to ${url}`);
}

/** `connectRaw` + wait for `pusher:connection_established`. */
export async function connectEstablished(server, opts) {
  const socket = await connectRaw(server, opts);
  await socket.established();
  return socket;
}
