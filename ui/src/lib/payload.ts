// Payload decoding: a frame's raw text → event, channel and data, with Pusher's
// JSON-in-a-string `data` decoded; results cached per record so rows never re-parse.
import type { Observation } from '../bindings/Observation';
import type { JsonValue } from '../bindings/serde_json/JsonValue';
import { rawText } from './records';

export type Decoded = {
  /** The whole frame or body as JSON, or null when it is not JSON. */
  frame: JsonValue | null;
  event: string | null;
  channel: string | null;
  /** `data`, decoded when it was a string holding JSON. */
  data: JsonValue | undefined;
  /** Whether `data` arrived as a string holding JSON (Pusher's double encoding). */
  doubleEncoded: boolean;
  /** Why the raw text is not JSON, if it is not. */
  error: string | null;
};

export function parseJson(text: string): { ok: true; value: JsonValue } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(text) as JsonValue };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message : String(e) };
  }
}

export function isObject(value: JsonValue | undefined): value is { [key: string]: JsonValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: JsonValue | undefined): string | null {
  return typeof value === 'string' ? value : null;
}

/** A string holding a JSON object or array is decoded; anything else is taken as it is. */
export function decodeData(data: JsonValue | undefined): { value: JsonValue | undefined; doubleEncoded: boolean } {
  if (typeof data !== 'string') return { value: data, doubleEncoded: false };
  const trimmed = data.trimStart();
  if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) return { value: data, doubleEncoded: false };
  const parsed = parseJson(data);
  if (parsed.ok && typeof parsed.value === 'object' && parsed.value !== null) {
    return { value: parsed.value, doubleEncoded: true };
  }
  return { value: data, doubleEncoded: false };
}

/** Decodes a frame (`{event, channel, data}`) or an API body (`{name, channels, data}`). */
export function decodeText(raw: string): Decoded {
  const parsed = parseJson(raw);
  if (!parsed.ok) {
    return { frame: null, event: null, channel: null, data: undefined, doubleEncoded: false, error: parsed.error };
  }
  const frame = parsed.value;
  if (!isObject(frame)) {
    return { frame, event: null, channel: null, data: undefined, doubleEncoded: false, error: null };
  }
  const channels = frame.channels;
  const firstChannel = Array.isArray(channels) ? text(channels[0]) : null;
  const { value, doubleEncoded } = decodeData(frame.data);
  const subscribeChannel = isObject(value) ? text(value.channel) : null;
  return {
    frame,
    event: text(frame.event) ?? text(frame.name),
    channel: text(frame.channel) ?? firstChannel ?? subscribeChannel,
    data: value,
    doubleEncoded,
    error: null,
  };
}

const cache = new WeakMap<Observation, Decoded | null>();

/** The decoded frame or body of a record (null when it has none), computed once per record. */
export function decode(record: Observation): Decoded | null {
  const hit = cache.get(record);
  if (hit !== undefined) return hit;
  const raw = rawText(record);
  const decoded = raw === null ? null : decodeText(raw);
  cache.set(record, decoded);
  return decoded;
}

/** The channel a record is about: its own field, else the frame's. */
export function channelOf(record: Observation): string | null {
  return record.channel ?? decode(record)?.channel ?? null;
}

/** The event a record is about: its own field, else the frame's. */
export function eventOf(record: Observation): string | null {
  return record.event ?? decode(record)?.event ?? null;
}

/** Pretty JSON for display and copying. */
export function pretty(value: JsonValue | undefined): string {
  return value === undefined ? '' : JSON.stringify(value, null, 2);
}
