// Tests for the reconnecting record stream, against a fake WebSocket.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { StreamMessage } from '../bindings/StreamMessage';
import { RecordStream, type StreamStatus } from './stream';

class FakeSocket {
  static all: FakeSocket[] = [];
  static OPEN = 1;
  readyState = 0;
  sent: string[] = [];
  onopen: (() => void) | null = null;
  onclose: (() => void) | null = null;
  onmessage: ((e: { data: unknown }) => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }
  open() {
    this.readyState = 1;
    this.onopen?.();
  }
  send(text: string) {
    this.sent.push(text);
  }
  close() {
    this.readyState = 3;
    this.onclose?.();
  }
}

describe('RecordStream', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    FakeSocket.all = [];
    vi.stubGlobal('WebSocket', FakeSocket);
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it('delivers batches, sends filter changes, and reconnects with backoff', () => {
    const messages: StreamMessage[] = [];
    const statuses: StreamStatus[] = [];
    let reconnects = 0;
    const s = new RecordStream(
      { onMessage: (m) => messages.push(m), onStatus: (st) => statuses.push(st), onReconnect: () => reconnects++ },
      { protocol: 'http:', host: 'h:1' },
    );
    s.start('kind:delivery');
    const first = FakeSocket.all[0];
    expect(first?.url).toBe('ws://h:1/inspector/api/stream?filter=kind%3Adelivery');
    first?.open();
    first?.onmessage?.({ data: '{"type":"records","records":[]}' });
    expect(messages).toEqual([{ type: 'records', records: [] }]);
    s.setFilter('channel:a');
    expect(first?.sent).toEqual(['{"type":"filter","filter":"channel:a"}']);

    first?.close();
    expect(statuses).toEqual(['connecting', 'open', 'closed']);
    vi.advanceTimersByTime(249);
    expect(FakeSocket.all).toHaveLength(1);
    vi.advanceTimersByTime(1);
    const second = FakeSocket.all[1];
    expect(second?.url).toContain('filter=channel%3Aa');
    second?.open();
    expect(reconnects).toBe(1);

    s.stop();
    vi.advanceTimersByTime(10_000);
    expect(FakeSocket.all).toHaveLength(2);
  });
});
