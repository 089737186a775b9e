// Plain explanations of why a client was refused, for the detail pane and the
// getting-started view: wrong key, bad signature, disabled app, TLS expected.
import type { Observation } from '../bindings/Observation';
import { closeCodeMeaning } from './format';

export type Explanation = { title: string; body: string; fix: string };

export function explainCode(code: number, knownKeys: readonly string[]): Explanation {
  switch (code) {
    case 4001:
      return {
        title: 'Wrong app key',
        body: 'The client connected with a key no app on this server has.',
        fix: knownKeys.length > 0 ? `Use one of: ${knownKeys.join(', ')} (PUSHER_APP_KEY / VITE_PUSHER_APP_KEY).` : 'Add the app to switchboard.toml.',
      };
    case 4003:
      return { title: 'App disabled', body: 'The app exists but is disabled in the configuration.', fix: 'Set enabled = true for it in switchboard.toml.' };
    case 4004:
      return { title: 'Over quota', body: 'The app already has max_connections sockets.', fix: 'Raise max_connections, or close idle tabs and clients.' };
    case 4000:
    case 4007:
    case 4006:
    case 4008:
      return {
        title: code === 4000 ? 'TLS expected' : 'Protocol version',
        body: `The server refused the connection: ${closeCodeMeaning(code)}.`,
        fix: code === 4000 ? 'Connect with wss:// or set forceTLS as the server expects.' : 'Use pusher-js 4 or later (protocol 7).',
      };
    default:
      return { title: `Close code ${code}`, body: closeCodeMeaning(code), fix: 'See the record before it for the cause.' };
  }
}

/** Why a subscription's signature did not match, in plain words. */
export function explainSignature(stringToSign: string, expected: string | null, supplied: string | null): Explanation {
  if (!supplied) {
    return {
      title: 'No signature sent',
      body: 'Private and presence channels need an auth signature from your auth endpoint, and the client sent none.',
      fix: 'Check channelAuthorization.endpoint (Echo: authEndpoint) and that the endpoint answers 200 with {"auth": "key:signature"}.',
    };
  }
  // Signatures arrive as `key:hexdigest` or as the bare digest.
  const split = (sig: string) => (sig.includes(':') ? { key: sig.slice(0, sig.indexOf(':')), digest: sig.slice(sig.indexOf(':') + 1) } : { key: null, digest: sig });
  const got = split(supplied);
  const want = expected ? split(expected) : null;
  if (want?.key && got.key && want.key !== got.key) {
    return {
      title: 'Signed for another app',
      body: `The signature names key "${got.key}", but this app's key is "${want.key}".`,
      fix: 'Your backend uses another app\'s key and secret: align PUSHER_APP_KEY / PUSHER_APP_SECRET with the client.',
    };
  }
  return {
    title: 'Signature does not match',
    body: `The server signed "${stringToSign}" with the app secret and got ${want?.digest ?? 'another digest'}, but the client sent ${got.digest}.`,
    fix: 'Either the backend signs with a different secret (check PUSHER_APP_SECRET), or it signed another string: the socket id and channel name must be exactly the ones above.',
  };
}

/** An explanation for a record that is a refusal, or null. */
export function explain(record: Observation, knownKeys: readonly string[]): Explanation | null {
  switch (record.kind) {
    case 'connection_refused':
      return explainCode(record.code, knownKeys);
    case 'subscription_refused':
      return record.string_to_sign !== null
        ? explainSignature(record.string_to_sign, record.expected, record.supplied)
        : { title: 'Subscription refused', body: record.reason, fix: 'Check the channel name and the app\'s limits.' };
    case 'client_event_rejected':
      return {
        title: 'Client event rejected',
        body: record.reason,
        fix: 'Client events need enable_client_messages, a private or presence channel the sender is subscribed to, and a name starting with client-.',
      };
    case 'sign_in_refused':
      return { title: 'Sign-in refused', body: record.reason, fix: 'Check the user authentication endpoint signs socket_id::user::user_data with the app secret.' };
    default:
      return null;
  }
}
