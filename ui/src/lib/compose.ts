// The composer's pure side: parsing and validating what was typed (channels, event name,
// JSON data with the error's line and column) into the bodies the action routes take.
import type { ClientEventBody } from '../bindings/ClientEventBody';
import type { PublishBody } from '../bindings/PublishBody';
import type { RawFrameBody } from '../bindings/RawFrameBody';
import { jsonError, lineColumn } from './jsonCheck';

export type Mode = 'server' | 'client' | 'raw';

export type Draft = {
  mode: Mode;
  app: string;
  channels: string;
  event: string;
  data: string;
  socket: string;
  user: string;
  toUser: boolean;
};

export type Problem = { field: keyof Draft; message: string };

export type Action =
  | { route: 'publish'; body: PublishBody }
  | { route: 'client-event'; body: ClientEventBody }
  | { route: 'raw-frame'; body: RawFrameBody };

export function splitChannels(text: string): string[] {
  return text.split(/[\s,]+/).filter(Boolean);
}

/** Where the JSON is wrong, as "line L, column C: message" (or null when it is valid). */
export function jsonProblem(text: string): string | null {
  const error = jsonError(text);
  if (!error) return null;
  const { line, column } = lineColumn(text, error.offset);
  return `line ${line}, column ${column}: ${error.message}`;
}

const SOCKET_RE = /^\d+\.\d+$/;

export function validate(d: Draft): Problem[] {
  const problems: Problem[] = [];
  const need = (field: keyof Draft, ok: boolean, message: string) => {
    if (!ok) problems.push({ field, message });
  };
  if (d.mode === 'raw') {
    need('socket', SOCKET_RE.test(d.socket.trim()), 'pick a connected socket (like 123.456)');
    const p = d.data.trim() === '' ? 'type the frame to send' : jsonProblem(d.data);
    need('data', p === null, p ?? '');
    return problems;
  }
  need('app', d.app !== '', 'pick an app');
  need('event', d.event.trim() !== '', 'name the event');
  const channels = splitChannels(d.channels);
  if (d.mode === 'server') {
    if (d.toUser) need('user', d.user.trim() !== '', 'name the user to send to');
    else need('channels', channels.length > 0, 'name at least one channel');
    need('channels', channels.length <= 100, 'at most 100 channels at once');
    need('socket', d.socket.trim() === '' || SOCKET_RE.test(d.socket.trim()), 'a socket id looks like 123.456');
  } else {
    need('channels', channels.length === 1, 'name one private- or presence- channel');
    need('channels', channels.length !== 1 || /^(private|presence)-/.test(channels[0] ?? ''), 'client events go to private- or presence- channels');
    need('event', d.event.startsWith('client-'), 'client event names start with client-');
  }
  const p = jsonProblem(d.data);
  need('data', p === null, p ?? '');
  return problems;
}

/** The action a valid draft performs. */
export function toAction(d: Draft): Action {
  const data = JSON.stringify(JSON.parse(d.data) as unknown);
  switch (d.mode) {
    case 'server': {
      const channels = d.toUser ? [`#server-to-user-${d.user.trim()}`] : splitChannels(d.channels);
      const body: PublishBody = { app: d.app, name: d.event.trim(), channels, data };
      if (d.socket.trim()) body.socket_id = d.socket.trim();
      return { route: 'publish', body };
    }
    case 'client': {
      const body: ClientEventBody = { app: d.app, channel: splitChannels(d.channels)[0] ?? '', event: d.event.trim(), data };
      if (d.user.trim()) body.user_id = d.user.trim();
      return { route: 'client-event', body };
    }
    case 'raw':
      return { route: 'raw-frame', body: { socket: d.socket.trim(), text: d.data } };
    default: {
      const never: never = d.mode;
      throw new Error(`unknown mode ${String(never)}`);
    }
  }
}
