// Tests for payload decoding and record accessors.
import { describe, expect, it } from 'vitest';
import { channelOf, decode, decodeData, decodeText, eventOf } from './payload';
import { apiRequest, delivery, frameIn, ping } from './fixtures';
import { direction, isPing, isProblem, size, status } from './records';

describe('payload decoding', () => {
  it('decodes Pusher double-encoded data', () => {
    const d = decodeText(JSON.stringify({ event: 'e', channel: 'c', data: '{"a":1}' }));
    expect(d).toMatchObject({ event: 'e', channel: 'c', data: { a: 1 }, doubleEncoded: true, error: null });
  });

  it('keeps plain strings and objects as they are', () => {
    expect(decodeData('hello')).toEqual({ value: 'hello', doubleEncoded: false });
    expect(decodeData('{not json')).toEqual({ value: '{not json', doubleEncoded: false });
    expect(decodeData({ a: 1 })).toEqual({ value: { a: 1 }, doubleEncoded: false });
  });

  it('reads API bodies and subscribe frames', () => {
    expect(decodeText('{"name":"n","channels":["a","b"],"data":"1"}')).toMatchObject({ event: 'n', channel: 'a' });
    expect(decodeText('{"event":"pusher:subscribe","data":{"channel":"private-x"}}').channel).toBe('private-x');
  });

  it('reports frames that are not JSON', () => {
    expect(decodeText('nope').error).toBeTruthy();
  });

  it('caches per record and falls back to the frame for names', () => {
    const r = frameIn('{"event":"client-typing","channel":"private-a","data":{}}');
    expect(decode(r)).toBe(decode(r));
    expect(eventOf(r)).toBe('client-typing');
    expect(channelOf(r)).toBe('private-a');
  });
});

describe('record accessors', () => {
  it('gives direction, size, status and ping-ness', () => {
    const d = delivery('c', 'e', 'é');
    expect(direction(d)).toBe('out');
    expect(size(d)).toBe(new TextEncoder().encode(d.kind === 'delivery' ? d.raw : '').length);
    const api = apiRequest('/apps/1/events', '{}', 413);
    expect(direction(api)).toBe('in');
    expect(status(api)).toBe(413);
    expect(isProblem(api)).toBe(true);
    expect(isPing(ping())).toBe(true);
    expect(isPing(frameIn('{"event":"pusher:pong","data":{}}'))).toBe(true);
    expect(isPing(d)).toBe(false);
  });
});
