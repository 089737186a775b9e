// Tests for composer validation, JSON checking, explanations, getting-started snippets, stream helpers, charts, storage.
import { describe, expect, it } from 'vitest';
import { areaPath, linePath, niceMax, sum } from './charts';
import { jsonProblem, toAction, validate, type Draft } from './compose';
import { explain, explainSignature } from './explain';
import { address, guide, GUIDES } from './gettingStarted';
import { backoff, parseMessage, streamUrl } from './stream';
import { loadTemplates, saveTemplates, upsert } from './storage';

const draft: Draft = { mode: 'server', app: 'app-id', channels: 'a, b', event: 'e', data: '{"x":1}', socket: '', user: '', toUser: false };

describe('composer', () => {
  it('validates as typed and builds the action', () => {
    expect(validate(draft)).toEqual([]);
    expect(toAction(draft)).toEqual({ route: 'publish', body: { app: 'app-id', name: 'e', channels: ['a', 'b'], data: '{"x":1}' } });
    expect(toAction({ ...draft, toUser: true, user: '42' })).toMatchObject({ body: { channels: ['#server-to-user-42'] } });
    expect(validate({ ...draft, data: '{"x":}' })[0]?.field).toBe('data');
    expect(jsonProblem('{\n "a": }')).toMatch(/^line 2, column/);
    expect(validate({ ...draft, mode: 'client', channels: 'public' }).map((p) => p.field)).toContain('channels');
    expect(validate({ ...draft, mode: 'raw', socket: 'x' }).map((p) => p.field)).toEqual(['socket']);
  });
});

describe('explanations', () => {
  it('says why a signature did not match', () => {
    expect(explainSignature('1.2:private-a', 'k:abc', 'k:def').title).toBe('Signature does not match');
    expect(explainSignature('1.2:private-a', 'k:abc', 'other:def').title).toBe('Signed for another app');
    expect(explainSignature('1.2:private-a', 'k:abc', null).title).toBe('No signature sent');
    expect(explainSignature('1.2:private-a', 'abc', 'def').body).toContain('got abc, but the client sent def');
  });

  it('explains a wrong key with the keys that work', () => {
    const e = explain({ seq: 1, at: 0, origin: 'client', kind: 'connection_refused', code: 4001, reason: 'x' }, ['app-key']);
    expect(e?.fix).toContain('app-key');
  });
});

describe('getting started', () => {
  it('fills in the server address and app', () => {
    const a = address('ws://127.0.0.1:6001');
    const app = { id: 'app-id', key: 'app-key', secret_masked: 'ap…et', enabled: true, client_events: true };
    expect(a).toEqual({ host: '127.0.0.1', port: 6001, tls: false });
    for (const g of GUIDES) expect(guide(g.id, a, app).length).toBeGreaterThan(0);
    expect(guide('pusher-js', a, app)[0]?.text).toContain("new Pusher(\"app-key\"");
    expect(guide('echo', a, app)[0]?.text).toContain('PUSHER_PORT=6001');
  });
});

describe('stream and charts', () => {
  it('builds URLs, parses messages, backs off', () => {
    expect(streamUrl({ protocol: 'http:', host: 'h:1' }, 'a b')).toBe('ws://h:1/inspector/api/stream?filter=a%20b');
    expect(parseMessage('{"type":"gap","missed_batches":3}')).toEqual({ type: 'gap', missed_batches: 3 });
    expect(parseMessage('{"type":"filter","filter":"kind:gap"}')).toEqual({ type: 'filter', filter: 'kind:gap' });
    expect(parseMessage('null')).toBeNull();
    expect(parseMessage('garbage')).toBeNull();
    expect(backoff(0)).toBe(250);
    expect(backoff(10)).toBe(5000);
  });

  it('scales series into paths', () => {
    expect(niceMax(0)).toBe(1);
    expect(niceMax(37)).toBe(50);
    expect(linePath([0, 10], 100, 50, 10)).toBe('M0,50 L100,0');
    expect(areaPath([5], 100, 50, 10)).toBe('M0,25 L0,50 L0,50 Z');
    expect(sum([[1, 2], [3]])).toEqual([4, 2]);
  });

  it('upserts by name', () => {
    expect(upsert([{ name: 'b' }, { name: 'a' }], { name: 'a' })).toEqual([{ name: 'a' }, { name: 'b' }]);
  });

  it('keeps saved templates and drops malformed ones on the way back in', () => {
    const stored = new Map<string, string>();
    const storage = { getItem: (k: string) => stored.get(k) ?? null, setItem: (k: string, v: string) => void stored.set(k, v) };
    Object.assign(globalThis, { localStorage: storage });
    const { toUser: _, ...fields } = draft;
    saveTemplates([{ name: 'ok', ...fields }]);
    expect(loadTemplates()).toEqual([{ name: 'ok', ...fields }]);
    stored.set('switchboard.templates', JSON.stringify([{ name: 'bad', ...fields, mode: 'bogus' }, { name: 'short' }, 3]));
    expect(loadTemplates()).toEqual([]);
    Reflect.deleteProperty(globalThis, 'localStorage');
  });
});

import { jsonError } from './jsonCheck';
describe('jsonCheck', () => {
  it('agrees with JSON.parse and points at the error', () => {
    for (const ok of ['1', '"a\\"b"', '{"a":[1,2,{"b":null}]}', ' [ true , false ] ', '-1.5e3']) expect(jsonError(ok)).toBeNull();
    expect(jsonError('{"a":}')).toEqual({ offset: 5, message: 'unexpected "}": expected a value' });
    expect(jsonError('[1 2]')?.offset).toBe(3);
    expect(jsonError('{"a":1')?.message).toBe('expected "," or "}"');
    expect(jsonError('{a:1}')?.offset).toBe(1);
    expect(jsonError('1 x')?.offset).toBe(2);
  });
});
