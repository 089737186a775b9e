// Hand-signed HTTP API requests, so tests control every part of the signature (timestamps,
// body_md5, keys, paths) and can send what the SDKs refuse to (too many channels, bad JSON).

import { DEFAULT_APP } from './pusher.mjs';
import { hmacHex, httpStringToSign, md5Hex } from './sign.mjs';

export const nowSeconds = () => Math.floor(Date.now() / 1000);

/**
 * Sends a signed request to `server` and returns `{status, headers, text, json}` (`json` is
 * the parsed body or undefined).
 *
 * Options: `method` (POST), `path` (e.g. `/apps/app-id/events`), `query` (extra params, signed),
 * `body` (object → JSON, or raw string), `app` (credentials), `timestamp` (seconds),
 * `bodyMd5` (override; `false` omits it), `secret` (sign with another secret), `sign: false`
 * (send no auth_signature), `signPath` (sign a different path than the one requested).
 */
export async function apiRequest(server, options = {}) {
  const {
    method = 'POST',
    path,
    query = {},
    body,
    app = DEFAULT_APP,
    timestamp = nowSeconds(),
    bodyMd5,
    secret = app.secret,
    sign = true,
    signPath = path,
  } = options;
  const text = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  const params = { auth_key: app.key, auth_timestamp: String(timestamp), auth_version: '1.0', ...query };
  if (bodyMd5 !== false && (bodyMd5 !== undefined || (text !== undefined && text !== ''))) {
    params.body_md5 = bodyMd5 ?? md5Hex(text);
  }
  const stringToSign = httpStringToSign(method, signPath, params);
  if (sign) params.auth_signature = hmacHex(secret, stringToSign);
  const qs = Object.entries(params)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&');
  const headers = text !== undefined ? { 'content-type': 'application/json' } : {};
  const res = await fetch(`${server.httpUrl}${path}?${qs}`, {
    method,
    headers,
    body: text,
    signal: AbortSignal.timeout(5000),
  });
  const resText = await res.text();
  let json;
  try {
    json = JSON.parse(resText);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text: resText, json, stringToSign };
}

/** Shorthand: signed `POST /apps/{id}/events` with `body`. */
export function triggerRaw(server, body, opts = {}) {
  const app = opts.app ?? DEFAULT_APP;
  return apiRequest(server, { path: `/apps/${app.id}/events`, body, ...opts });
}

/** Shorthand: signed `GET /apps/{id}{sub}` with `query`. */
export function getRaw(server, sub, query = {}, opts = {}) {
  const app = opts.app ?? DEFAULT_APP;
  return apiRequest(server, { method: 'GET', path: `/apps/${app.id}${sub}`, query, ...opts });
}

/** Unsigned plain GET (health, metrics). */
export async function plainGet(server, path) {
  const res = await fetch(`${server.httpUrl}${path}`, { signal: AbortSignal.timeout(5000) });
  return { status: res.status, headers: res.headers, text: await res.text() };
}
