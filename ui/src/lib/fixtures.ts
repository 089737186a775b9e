// Record fixtures for the unit tests (and the ?bench=1 hook): small builders that
// return well-typed Observations.
import type { Observation } from '../bindings/Observation';

let nextSeq = 1;

export function resetSeq(seq = 1): void {
  nextSeq = seq;
}

export function frameIn(raw: string, extra: Partial<Observation> = {}): Observation {
  return { seq: nextSeq++, at: 1_700_000_000_000, origin: 'client', socket: '1.1', kind: 'frame_in', raw, error: null, ...extra } as Observation;
}

export function delivery(channel: string, event: string, data: string, seq = nextSeq++): Observation {
  const raw = JSON.stringify({ event, channel, data });
  return { seq, at: 1_700_000_000_000 + seq, app: 'app-id', origin: 'api', channel, event, kind: 'delivery', raw, reached: [{ conn: 1, socket: '1.1' }], skipped: [], not_subscribed_more: 0 };
}

export function apiRequest(path: string, body: string | null, status = 200): Observation {
  return { seq: nextSeq++, at: 1_700_000_000_000, app: 'app-id', origin: 'api', kind: 'api_request', method: body === null ? 'GET' : 'POST', path, status, latency_us: 120, body, error: null };
}

export function ping(seq = nextSeq++): Observation {
  return { seq, at: 1_700_000_000_000 + seq, origin: 'client', socket: '1.1', event: 'pusher:ping', kind: 'frame_in', raw: '{"event":"pusher:ping","data":{}}', error: null };
}

/** Synthetic traffic: mostly deliveries across a few channels, some pings and API calls. */
export function synthetic(count: number, firstSeq: number, at = Date.now()): Observation[] {
  const out: Observation[] = [];
  for (let i = 0; i < count; i++) {
    const seq = firstSeq + i;
    const channel = `orders-${seq % 17}`;
    const data = JSON.stringify({ id: seq, total: (seq % 1000) / 10, items: ['a', 'b'] });
    const rec = seq % 10 === 0 ? ping(seq) : delivery(channel, seq % 3 === 0 ? 'order.shipped' : 'order.created', data, seq);
    out.push({ ...rec, at: at + i });
  }
  return out;
}
