// Tests for filter-text helpers: tokens, completion context, terms and offsets.
import { describe, expect, it } from 'vitest';
import { addTerm, applyCompletion, charsToUtf16, completionContext, quoteValue, suggest, termFor, tokenize } from './filterText';

describe('tokenize', () => {
  it('covers every character and names the parts', () => {
    const text = 'channel:presence-* -kind:frame_in (event:"a b" or x) status>=400';
    const tokens = tokenize(text);
    expect(tokens.map((t) => t.text).join('')).toBe(text);
    expect(tokens.filter((t) => t.type === 'field').map((t) => t.text)).toEqual(['channel', 'kind', 'event', 'status']);
    expect(tokens.find((t) => t.type === 'keyword')?.text).toBe('or');
    expect(tokens.find((t) => t.type === 'negate')?.start).toBe(19);
    expect(tokens.filter((t) => t.type === 'value').map((t) => t.text)).toContain('"a b"');
  });

  it('reads payload paths as fields', () => {
    const tokens = tokenize('data.order.id == 42');
    expect(tokens[0]).toMatchObject({ type: 'field', text: 'data.order.id' });
  });
});

describe('completion', () => {
  it('knows when a field name is being typed', () => {
    expect(completionContext('kind:frame_in cha', 17)).toEqual({ type: 'field', prefix: 'cha', from: 14, to: 17 });
  });

  it('knows when a value is being typed', () => {
    expect(completionContext('-channel:pres', 13)).toMatchObject({ type: 'value', field: 'channel', prefix: 'pres', from: 9 });
  });

  it('suggests prefix matches before substring matches', () => {
    expect(suggest('or', ['xor', 'orders', 'origin'])).toEqual(['orders', 'origin', 'xor']);
  });

  it('applies field and value completions', () => {
    const field = completionContext('cha', 3);
    expect(field && applyCompletion('cha', field, 'channel')).toEqual({ text: 'channel:', caret: 8 });
    const value = completionContext('channel:pr x', 10);
    expect(value && applyCompletion('channel:pr x', value, 'presence-room 1')).toEqual({ text: 'channel:"presence-room 1"  x', caret: 26 });
  });
});

describe('terms', () => {
  it('quotes when needed', () => {
    expect(quoteValue('private-a')).toBe('private-a');
    expect(quoteValue('a "b"')).toBe('"a \\"b\\""');
    expect(quoteValue('or')).toBe('"or"');
    expect(termFor('channel', 'private-a')).toBe('channel:private-a');
    expect(termFor('event', 'x*y')).toBe('event == "x*y"');
  });

  it('adds terms once, bracketing an or', () => {
    expect(addTerm('', 'a:1')).toBe('a:1');
    expect(addTerm('a:1', 'a:1')).toBe('a:1');
    expect(addTerm('x or y', 'a:1')).toBe('(x or y) a:1');
  });

  it('maps character offsets to UTF-16', () => {
    expect(charsToUtf16('😀 chanel:x', 2, 6)).toEqual({ start: 3, end: 9 });
  });
});
