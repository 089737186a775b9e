// Signatures computed by hand (HMAC-SHA256 hex), for frames the official SDKs refuse to sign
// (over-long or invalid channel names, wrong secrets). `00-harness.test.mjs` checks these
// against the reference test vectors and the official SDK.

import { createHash, createHmac } from 'node:crypto';

export const hmacHex = (secret, text) => createHmac('sha256', secret).update(text).digest('hex');
export const md5Hex = (text) => createHash('md5').update(text).digest('hex');

/** `{auth, channel_data?}` for a subscription, exactly as an auth endpoint would answer. */
export function channelAuth(app, socketId, channel, channelData) {
  const parts = [socketId, channel];
  const result = {};
  if (channelData !== undefined) {
    const text = typeof channelData === 'string' ? channelData : JSON.stringify(channelData);
    parts.push(text);
    result.channel_data = text;
  }
  result.auth = `${app.key}:${hmacHex(app.secret, parts.join(':'))}`;
  return result;
}

/** `{auth, user_data}` for `pusher:signin`. */
export function userAuth(app, socketId, userData) {
  const text = typeof userData === 'string' ? userData : JSON.stringify(userData);
  return { auth: `${app.key}:${hmacHex(app.secret, `${socketId}::user::${text}`)}`, user_data: text };
}

/** The HTTP API string to sign: METHOD\nPATH\nsorted k=v pairs (unescaped). */
export function httpStringToSign(method, path, params) {
  const query = Object.keys(params)
    .filter((k) => k !== 'auth_signature')
    .map((k) => [k.toLowerCase(), params[k]])
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  return `${method.toUpperCase()}\n${path}\n${query}`;
}
