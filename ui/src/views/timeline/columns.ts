// The timeline's columns: header labels, the filter field each cell filters by, and the
// cell text of a record (decoded lazily, only for rows on screen).
import type { Observation } from '../../bindings/Observation';
import { bytes, clock, kindInfo } from '../../lib/format';
import { channelOf, eventOf } from '../../lib/payload';
import { direction, size } from '../../lib/records';

export type Column = { id: string; label: string; field: string | null };

export const COLUMNS: readonly Column[] = [
  { id: 'time', label: 'Time', field: null },
  { id: 'kind', label: 'Kind', field: 'kind' },
  { id: 'app', label: 'App', field: 'app' },
  { id: 'socket', label: 'Socket', field: 'socket' },
  { id: 'user', label: 'User', field: 'user' },
  { id: 'channel', label: 'Channel', field: 'channel' },
  { id: 'event', label: 'Event', field: 'event' },
  { id: 'dir', label: 'Dir', field: 'dir' },
  { id: 'size', label: 'Size', field: null },
  { id: 'origin', label: 'Origin', field: 'origin' },
];

/** The text and filter value of each cell of a row. */
export function cells(r: Observation): Record<string, { text: string; value: string | null }> {
  const dir = direction(r);
  const n = size(r);
  const channel = channelOf(r);
  const event = eventOf(r);
  return {
    time: { text: clock(r.at), value: null },
    kind: { text: kindInfo(r.kind).label, value: r.kind },
    app: { text: r.app ?? '', value: r.app ?? null },
    socket: { text: r.socket ?? '', value: r.socket ?? null },
    user: { text: r.user ?? '', value: r.user ?? null },
    channel: { text: channel ?? '', value: channel },
    event: { text: event ?? '', value: event },
    dir: { text: dir === 'in' ? '→ in' : dir === 'out' ? '← out' : '', value: dir === 'none' ? null : dir },
    size: { text: n === null ? '' : bytes(n), value: null },
    origin: { text: r.origin, value: r.origin },
  };
}
