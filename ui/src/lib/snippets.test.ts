// Tests for copy-as snippets for HTTP API calls.
import { describe, expect, it } from 'vitest';
import { operation, snippet } from './snippets';
import { phpLiteral, pyLiteral, shellQuote } from './literals';

const target = { httpUrl: 'http://127.0.0.1:6001', appId: 'app-id', key: 'app-key' };
const trigger = { method: 'POST', path: '/apps/app-id/events?auth_key=app-key&auth_signature=x', body: '{"name":"my-event","channels":["a","b"],"data":"{\\"n\\":1}","socket_id":"1.2"}' };

describe('operations', () => {
  it('recognises triggers, batches, queries and terminations', () => {
    expect(operation(trigger)).toMatchObject({ op: 'trigger', event: { channels: ['a', 'b'], name: 'my-event', data: { n: 1 }, socketId: '1.2' } });
    expect(operation({ method: 'POST', path: '/apps/1/batch_events', body: '{"batch":[{"channel":"c","name":"e","data":"x"}]}' })).toMatchObject({ op: 'batch' });
    expect(operation({ method: 'GET', path: '/apps/1/channels?filter_by_prefix=presence-&auth_key=k', body: null })).toEqual({ op: 'channels', params: { filter_by_prefix: 'presence-' } });
    expect(operation({ method: 'GET', path: '/apps/1/channels/presence-a/users', body: null })).toEqual({ op: 'users', channel: 'presence-a' });
    expect(operation({ method: 'POST', path: '/apps/1/users/42/terminate_connections', body: '{}' })).toEqual({ op: 'terminate', user: '42' });
  });
});

describe('snippets', () => {
  it('curl signs in the shell', () => {
    const s = snippet('curl', trigger, target);
    expect(s).toContain('openssl dgst -sha256 -hmac');
    expect(s).toContain('http://127.0.0.1:6001/apps/app-id/events?$QS&auth_signature=$SIG');
    expect(s).not.toContain('auth_signature=x');
  });

  it('Node, PHP and Python call the SDKs with the decoded data', () => {
    expect(snippet('node', trigger, target)).toContain('await pusher.trigger(["a","b"], "my-event", {\n  "n": 1\n}, { socket_id: "1.2" });');
    expect(snippet('php', trigger, target)).toContain("$pusher->trigger([\n    'a',\n    'b',\n], 'my-event', [\n    'n' => 1,\n], ['socket_id' => '1.2']);");
    expect(snippet('python', trigger, target)).toContain('client.trigger([\n    "a",\n    "b",\n], "my-event", {\n    "n": 1,\n}, socket_id="1.2")');
  });

  it('writes literals', () => {
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    expect(phpLiteral({ a: [true, null] })).toBe("[\n    'a' => [\n        true,\n        null,\n    ],\n]");
    expect(pyLiteral({ a: false })).toBe('{\n    "a": False,\n}');
  });
});
