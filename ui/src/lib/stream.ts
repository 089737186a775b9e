// The live record stream: a WebSocket to /inspector/api/stream that reconnects with
// backoff, carries the current filter, and reports batches, gaps, filter errors and
// filter changes.
import type { StreamMessage } from '../bindings/StreamMessage';
import type { StreamRequest } from '../bindings/StreamRequest';
import { API, withToken } from './api';

/** Every message type the server sends (a missing one fails to compile). */
const TYPES: Record<StreamMessage['type'], true> = { records: true, gap: true, error: true, filter: true };

export type StreamStatus = 'connecting' | 'open' | 'closed';

export type StreamHandlers = {
  onMessage: (message: StreamMessage) => void;
  onStatus: (status: StreamStatus) => void;
  /** Called after a reconnect, so the caller can fetch what it missed. */
  onReconnect: () => void;
};

export function streamUrl(location: { protocol: string; host: string }, filter: string): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const query = filter ? `?filter=${encodeURIComponent(filter)}` : '';
  return withToken(`${scheme}//${location.host}${API}/stream${query}`);
}

export function parseMessage(text: string): StreamMessage | null {
  try {
    const value = JSON.parse(text) as { type?: unknown } | null;
    if (typeof value?.type === 'string' && Object.hasOwn(TYPES, value.type)) return value as StreamMessage;
  } catch {
    // A message we cannot read is skipped; the next batch carries on.
  }
  return null;
}

/** Reconnect delay: 250 ms doubling to 5 s. */
export function backoff(attempt: number): number {
  return Math.min(5000, 250 * 2 ** Math.min(attempt, 5));
}

export class RecordStream {
  private socket: WebSocket | null = null;
  private filter = '';
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;
  private everOpened = false;

  constructor(
    private readonly handlers: StreamHandlers,
    private readonly location: { protocol: string; host: string } = globalThis.location,
  ) {}

  start(filter: string): void {
    this.filter = filter;
    this.stopped = false;
    this.connect();
  }

  private connect(): void {
    this.handlers.onStatus('connecting');
    const socket = new WebSocket(streamUrl(this.location, this.filter));
    this.socket = socket;
    socket.onopen = () => {
      this.attempt = 0;
      this.handlers.onStatus('open');
      if (this.everOpened) this.handlers.onReconnect();
      this.everOpened = true;
    };
    socket.onmessage = (event: MessageEvent<unknown>) => {
      if (typeof event.data !== 'string') return;
      const message = parseMessage(event.data);
      if (message) this.handlers.onMessage(message);
    };
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.handlers.onStatus('closed');
      if (!this.stopped) this.timer = setTimeout(() => this.connect(), backoff(this.attempt++));
    };
  }

  /** Changes the filter on the open socket (or on the next one). */
  setFilter(filter: string): void {
    this.filter = filter;
    const request: StreamRequest = { type: 'filter', filter };
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(request));
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    const socket = this.socket;
    this.socket = null;
    socket?.close();
  }
}
