// Formatting for display: times, durations, sizes, counts, and record kinds → labels
// and colour classes, each kind named once here.
import type { Kind } from './records';
import { unreachable } from './records';

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** `14:03:07.042` in local time. */
export function clock(unixMs: number): string {
  const d = new Date(unixMs);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

/** `2024-05-01 14:03` in local time. */
export function dateTime(unixMs: number): string {
  const d = new Date(unixMs);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** `850 ms`, `3.2 s`, `4 min 5 s`, `2 h 10 min`. */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 60) return `${minutes} min ${Math.floor((ms % 60_000) / 1000)} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** `512 B`, `1.5 kB`, `2.0 MB` (decimal units, as Pusher's limits are stated). */
export function bytes(n: number): string {
  if (n < 1000) return `${n} B`;
  if (n < 1_000_000) return `${(n / 1000).toFixed(1)} kB`;
  return `${(n / 1_000_000).toFixed(1)} MB`;
}

/** `1,234,567`. */
export function count(n: number): string {
  return n.toLocaleString('en-US');
}

/** `5 s ago`, `3 min ago`. */
export function ago(unixMs: number, now: number): string {
  return `${duration(Math.max(0, now - unixMs))} ago`;
}

export type Tone = 'conn' | 'frame' | 'delivery' | 'sub' | 'presence' | 'api' | 'webhook' | 'error' | 'muted';

/** A short label and a colour family for each kind of record. */
export function kindInfo(kind: Kind): { label: string; tone: Tone } {
  switch (kind) {
    case 'connection_opened':
      return { label: 'connected', tone: 'conn' };
    case 'connection_refused':
      return { label: 'refused', tone: 'error' };
    case 'connection_closed':
      return { label: 'closed', tone: 'conn' };
    case 'frame_in':
      return { label: 'frame in', tone: 'frame' };
    case 'frame_out':
      return { label: 'frame out', tone: 'frame' };
    case 'delivery':
      return { label: 'delivery', tone: 'delivery' };
    case 'subscribed':
      return { label: 'subscribed', tone: 'sub' };
    case 'subscription_refused':
      return { label: 'sub refused', tone: 'error' };
    case 'unsubscribed':
      return { label: 'unsubscribed', tone: 'sub' };
    case 'channel_occupied':
      return { label: 'occupied', tone: 'sub' };
    case 'channel_vacated':
      return { label: 'vacated', tone: 'sub' };
    case 'member_added':
      return { label: 'member +', tone: 'presence' };
    case 'member_removed':
      return { label: 'member −', tone: 'presence' };
    case 'client_event_rejected':
      return { label: 'rejected', tone: 'error' };
    case 'signed_in':
      return { label: 'signed in', tone: 'presence' };
    case 'sign_in_refused':
      return { label: 'sign-in refused', tone: 'error' };
    case 'api_request':
      return { label: 'HTTP API', tone: 'api' };
    case 'webhook_attempt':
      return { label: 'webhook', tone: 'webhook' };
    case 'webhook_dropped':
      return { label: 'webhook dropped', tone: 'error' };
    case 'config_reloaded':
      return { label: 'config', tone: 'muted' };
    case 'gap':
      return { label: 'gap', tone: 'error' };
    default:
      return unreachable(kind);
  }
}

/** What a close code means, in a few words (Pusher's codes and WebSocket's). */
export function closeCodeMeaning(code: number): string {
  const known: Record<number, string> = {
    1000: 'normal closure',
    1001: 'going away',
    1006: 'abnormal closure (no close frame)',
    4000: 'SSL/TLS required',
    4001: 'app key does not exist',
    4003: 'app disabled',
    4004: 'over connection quota',
    4005: 'path not found',
    4006: 'invalid protocol version format',
    4007: 'unsupported protocol version',
    4008: 'no protocol version',
    4009: 'unauthorized (disconnected by the app)',
    4100: 'over capacity (slow client)',
    4200: 'server closing, reconnect now',
    4201: 'pong not received in time',
    4202: 'closed after inactivity',
    4301: 'client event rejected (rate limit)',
  };
  const hit = known[code];
  if (hit) return hit;
  if (code >= 4000 && code < 4100) return 'error: do not reconnect';
  if (code >= 4100 && code < 4200) return 'error: reconnect after backing off';
  if (code >= 4200 && code < 4300) return 'error: reconnect now';
  return 'application-defined';
}
