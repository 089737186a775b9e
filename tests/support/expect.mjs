// Assertions on Pusher frames that many tests share, written once so every test pins the same
// shapes (docs/architecture.md section 5, "Wire behaviour").

import assert from 'node:assert/strict';
import { connectRaw } from './raw.mjs';

/** Strips the `index` bookkeeping `waitFor` adds, for `deepEqual` on whole frames. */
export function bare(frame) {
  const { index: _index, ...rest } = frame;
  return rest;
}

/**
 * A `pusher:error` whose `data` is an object `{code, message}` with the given code (`null` for
 * non-fatal errors) and a non-empty message. Returns the message.
 */
export function assertPusherError(frame, code) {
  assert.equal(frame.event, 'pusher:error', `expected pusher:error, got ${JSON.stringify(frame)}`);
  assert.equal(typeof frame.data, 'object', `pusher:error data must be an object: ${JSON.stringify(frame)}`);
  assert.notEqual(frame.data, null);
  assert.equal(frame.data.code, code, `pusher:error code: ${JSON.stringify(frame)}`);
  assert.equal(typeof frame.data.message, 'string');
  assert.ok(frame.data.message.length > 0, 'pusher:error message must not be empty');
  return frame.data.message;
}

/** A `pusher:subscription_error` for `channel` with soketi's `{type, error, status}` object. */
export function assertSubscriptionError(frame, channel) {
  assert.equal(frame.event, 'pusher:subscription_error', JSON.stringify(frame));
  assert.equal(frame.channel, channel);
  const { data } = frame;
  assert.equal(typeof data, 'object', `subscription_error data must be an object: ${JSON.stringify(frame)}`);
  assert.notEqual(data, null);
  assert.equal(typeof data.type, 'string');
  assert.ok(data.type.length > 0, 'subscription_error type must not be empty');
  assert.equal(typeof data.error, 'string');
  assert.ok(data.error.length > 0, 'subscription_error error must not be empty');
  assert.ok(Number.isInteger(data.status), `subscription_error status must be an integer: ${JSON.stringify(data)}`);
  return data;
}

/**
 * Connects and expects the connection to be refused: first frame `pusher:error` with `code`,
 * then a close with the same code, and never `connection_established`.
 */
export async function expectRefused(server, connectOptions, code) {
  const socket = await connectRaw(server, connectOptions);
  const { code: closeCode } = await socket.waitClose(3000);
  assert.ok(socket.frames.length >= 1, `expected a pusher:error before the close; ${socket.describe()}`);
  assertPusherError(socket.frames[0], code);
  assert.equal(closeCode, code, `close code; ${socket.describe()}`);
  assert.equal(socket.events('pusher:connection_established').length, 0);
  return socket;
}

/** Asserts that no frame at index >= `from` (and < `to`) matches `pred`. */
export function assertNone(socket, pred, what, from = 0, to = socket.frames.length) {
  const hits = socket.frames.slice(from, to).filter(pred);
  assert.equal(hits.length, 0, `unexpected ${what}: ${JSON.stringify(hits)}`);
}
