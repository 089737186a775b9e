// Record accessors: what each Observation kind means for the timeline's columns
// (direction, raw text, size, status), with an exhaustive switch over `kind`.
import type { Observation } from '../bindings/Observation';

export type Kind = Observation['kind'];
export type Direction = 'in' | 'out' | 'none';

/** Fails to compile when a switch forgets a case. */
export function unreachable(value: never): never {
  throw new Error(`unexpected value ${JSON.stringify(value)}`);
}

/** `in` for traffic that reached the server, `out` for traffic it sent (as the filter's `dir:`). */
export function direction(record: Observation): Direction {
  switch (record.kind) {
    case 'frame_in':
    case 'api_request':
    case 'connection_opened':
      return 'in';
    case 'frame_out':
    case 'delivery':
    case 'webhook_attempt':
      return 'out';
    default:
      return 'none';
  }
}

/** The wire text of a record: a frame as sent, or an API request's body. */
export function rawText(record: Observation): string | null {
  switch (record.kind) {
    case 'frame_in':
    case 'frame_out':
    case 'delivery':
      return record.raw;
    case 'api_request':
      return record.body;
    default:
      return null;
  }
}

const encoder = new TextEncoder();

/** Bytes on the wire (UTF-8), or null when the record carries no frame or body. */
export function size(record: Observation): number | null {
  const raw = rawText(record);
  if (raw === null) return null;
  // ASCII fast path: most frames are ASCII, and encoding every row would allocate.
  for (let i = 0; i < raw.length; i++) {
    if (raw.charCodeAt(i) > 127) return encoder.encode(raw).length;
  }
  return raw.length;
}

/** HTTP status, webhook status, or close/refusal code (as the filter's `status`). */
export function status(record: Observation): number | null {
  switch (record.kind) {
    case 'api_request':
      return record.status;
    case 'connection_refused':
      return record.code;
    case 'webhook_attempt':
      return record.status;
    case 'connection_closed':
      return record.code;
    default:
      return null;
  }
}

/** Pusher's keep-alive traffic, hidden from the timeline unless asked for. */
export function isPing(record: Observation): boolean {
  const event = record.event;
  if (event === 'pusher:ping' || event === 'pusher:pong') return true;
  if (event != null) return false;
  if (record.kind !== 'frame_in' && record.kind !== 'frame_out') return false;
  return /"event"\s*:\s*"pusher:p[io]ng"/.test(record.raw);
}

/** Whether a record is a failure a person should notice (drawn in the error colour). */
export function isProblem(record: Observation): boolean {
  switch (record.kind) {
    case 'connection_refused':
    case 'subscription_refused':
    case 'client_event_rejected':
    case 'sign_in_refused':
    case 'webhook_dropped':
    case 'gap':
      return true;
    case 'frame_in':
      return record.error !== null;
    case 'api_request':
      return record.status >= 400;
    case 'webhook_attempt':
      return record.status === null || record.status >= 400;
    case 'config_reloaded':
      return record.error !== null;
    case 'connection_closed':
      return record.code !== null && record.code >= 4000 && record.code < 4200;
    default:
      return false;
  }
}
