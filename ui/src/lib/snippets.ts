// "Copy as" snippets for HTTP API requests: the same call as curl (signed in the shell),
// Node (`pusher`), PHP (`pusher/pusher-php-server`) and Python (`pusher`).
import type { JsonValue } from '../bindings/serde_json/JsonValue';
import { decodeData, isObject, parseJson } from './payload';
import { jsLiteral, phpLiteral, phpString, pyLiteral, pyString, shellQuote } from './literals';

export type Language = 'curl' | 'node' | 'php' | 'python';
export const LANGUAGES: readonly Language[] = ['curl', 'node', 'php', 'python'];

export type ApiCall = { method: string; path: string; body: string | null };
export type Target = { httpUrl: string; appId: string; key: string };

type EventCall = { channels: string[]; name: string; data: JsonValue; raw: boolean; socketId: string | null };

/** What an API request does, recognised from its path. */
export type Operation =
  | { op: 'trigger'; event: EventCall }
  | { op: 'batch'; events: EventCall[] }
  | { op: 'channels'; params: Record<string, string> }
  | { op: 'channel'; channel: string; params: Record<string, string> }
  | { op: 'users'; channel: string }
  | { op: 'terminate'; user: string }
  | { op: 'other' };

function eventCall(item: JsonValue): EventCall | null {
  if (!isObject(item)) return null;
  const channels = Array.isArray(item.channels) ? item.channels.filter((c): c is string => typeof c === 'string') : [];
  if (typeof item.channel === 'string') channels.push(item.channel);
  const { value, doubleEncoded } = decodeData(item.data);
  const name = typeof item.name === 'string' ? item.name : '';
  const socketId = typeof item.socket_id === 'string' ? item.socket_id : null;
  return { channels, name, data: value ?? '', raw: !doubleEncoded, socketId };
}

function queryParams(path: string): Record<string, string> {
  const query = path.split('?')[1] ?? '';
  const out: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(query)) {
    if (!k.startsWith('auth_') && k !== 'body_md5') out[k] = v;
  }
  return out;
}

export function operation(call: ApiCall): Operation {
  const pathname = call.path.split('?')[0] ?? '';
  const parts = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  const body = call.body === null ? null : parseJson(call.body);
  const json = body?.ok ? body.value : null;
  const [, , resource, name, sub] = parts;
  if (resource === 'events' && json !== null) {
    const event = eventCall(json);
    if (event) return { op: 'trigger', event };
  }
  if (resource === 'batch_events' && isObject(json) && Array.isArray(json.batch)) {
    return { op: 'batch', events: json.batch.map(eventCall).filter((e): e is EventCall => e !== null) };
  }
  if (resource === 'channels' && name === undefined) return { op: 'channels', params: queryParams(call.path) };
  if (resource === 'channels' && name !== undefined && sub === 'users') return { op: 'users', channel: name };
  if (resource === 'channels' && name !== undefined) return { op: 'channel', channel: name, params: queryParams(call.path) };
  if (resource === 'users' && name !== undefined && sub === 'terminate_connections') return { op: 'terminate', user: name };
  return { op: 'other' };
}

function hostPort(httpUrl: string): { host: string; port: string; tls: boolean } {
  const url = new URL(httpUrl);
  const tls = url.protocol === 'https:';
  return { host: url.hostname, port: url.port || (tls ? '443' : '80'), tls };
}

export function curl(call: ApiCall, target: Target): string {
  const pathname = call.path.split('?')[0] ?? '/';
  const params = new URLSearchParams(call.path.split('?')[1] ?? '');
  const kept = [...params].filter(([k]) => !k.startsWith('auth_') && k !== 'body_md5');
  const extra = kept.map(([k, v]) => `&${k}=${encodeURIComponent(v)}`).join('');
  const body = call.body ?? '';
  const lines = [
    '# Signs the request with your app secret (Pusher HTTP API auth), then sends it.',
    'SECRET="${PUSHER_APP_SECRET:?export PUSHER_APP_SECRET first}"',
    `BODY=${shellQuote(body)}`,
    'TS=$(date +%s)',
    body ? 'MD5=$(printf %s "$BODY" | md5sum | cut -d" " -f1)' : '',
    `QS="auth_key=${target.key}&auth_timestamp=$TS&auth_version=1.0${body ? '&body_md5=$MD5' : ''}${extra}"`,
    `SIG=$(printf '%s\\n%s\\n%s' ${call.method.toUpperCase()} ${shellQuote(pathname)} "$QS" | openssl dgst -sha256 -hmac "$SECRET" | sed 's/^.* //')`,
    `curl -sS -X ${call.method.toUpperCase()} "${target.httpUrl}${pathname}?$QS&auth_signature=$SIG"${body ? ` \\\n  -H 'Content-Type: application/json' --data "$BODY"` : ''}`,
  ];
  return lines.filter(Boolean).join('\n');
}

export function node(call: ApiCall, target: Target): string {
  const { host, port, tls } = hostPort(target.httpUrl);
  const head = [
    "import Pusher from 'pusher';",
    '',
    'const pusher = new Pusher({',
    `  appId: ${JSON.stringify(target.appId)},`,
    `  key: ${JSON.stringify(target.key)},`,
    '  secret: process.env.PUSHER_APP_SECRET,',
    `  host: ${JSON.stringify(host)},`,
    `  port: ${JSON.stringify(port)},`,
    `  useTLS: ${tls},`,
    '});',
    '',
  ];
  const op = operation(call);
  const event = (e: EventCall) => `{ channel: ${JSON.stringify(e.channels[0] ?? '')}, name: ${JSON.stringify(e.name)}, data: ${jsLiteral(e.data, 1)} }`;
  let body: string;
  switch (op.op) {
    case 'trigger': {
      const params = op.event.socketId ? `, { socket_id: ${JSON.stringify(op.event.socketId)} }` : '';
      body = `await pusher.trigger(${JSON.stringify(op.event.channels)}, ${JSON.stringify(op.event.name)}, ${jsLiteral(op.event.data)}${params});`;
      break;
    }
    case 'batch':
      body = `await pusher.triggerBatch([\n  ${op.events.map(event).join(',\n  ')},\n]);`;
      break;
    case 'channels':
      body = `const res = await pusher.get({ path: '/channels', params: ${JSON.stringify(op.params)} });\nconsole.log(await res.json());`;
      break;
    case 'channel':
      body = `const res = await pusher.get({ path: ${JSON.stringify(`/channels/${op.channel}`)}, params: ${JSON.stringify(op.params)} });\nconsole.log(await res.json());`;
      break;
    case 'users':
      body = `const res = await pusher.get({ path: ${JSON.stringify(`/channels/${op.channel}/users`)} });\nconsole.log(await res.json());`;
      break;
    case 'terminate':
      body = `await pusher.terminateUserConnections(${JSON.stringify(op.user)});`;
      break;
    case 'other':
      body = `// ${call.method} ${call.path.split('?')[0]} has no SDK helper; use curl.`;
      break;
    default:
      return unreachableOp(op);
  }
  return [...head, body].join('\n');
}

function unreachableOp(op: never): never {
  throw new Error(`unknown operation ${JSON.stringify(op)}`);
}

export function php(call: ApiCall, target: Target): string {
  const { host, port, tls } = hostPort(target.httpUrl);
  const head = [
    '<?php',
    "require 'vendor/autoload.php'; // composer require pusher/pusher-php-server",
    '',
    `$pusher = new Pusher\\Pusher(${phpString(target.key)}, getenv('PUSHER_APP_SECRET'), ${phpString(target.appId)}, [`,
    `    'host' => ${phpString(host)},`,
    `    'port' => ${port},`,
    `    'scheme' => ${phpString(tls ? 'https' : 'http')},`,
    `    'useTLS' => ${tls},`,
    ']);',
    '',
  ];
  const op = operation(call);
  const data = (e: EventCall) => (e.raw && typeof e.data === 'string' ? phpString(e.data) : phpLiteral(e.data));
  let body: string;
  switch (op.op) {
    case 'trigger': {
      const e = op.event;
      const params = e.socketId ? `['socket_id' => ${phpString(e.socketId)}]` : '[]';
      const raw = e.raw && typeof e.data === 'string' ? ', true' : '';
      body = `$pusher->trigger(${phpLiteral(e.channels)}, ${phpString(e.name)}, ${data(e)}, ${params}${raw});`;
      break;
    }
    case 'batch':
      body = `$pusher->triggerBatch([\n${op.events.map((e) => `    ['channel' => ${phpString(e.channels[0] ?? '')}, 'name' => ${phpString(e.name)}, 'data' => ${data(e)}],`).join('\n')}\n]);`;
      break;
    case 'channels':
      body = `var_dump($pusher->getChannels(${phpLiteral(op.params)}));`;
      break;
    case 'channel':
      body = `var_dump($pusher->getChannelInfo(${phpString(op.channel)}, ${phpLiteral(op.params)}));`;
      break;
    case 'users':
      body = `var_dump($pusher->getPresenceUsers(${phpString(op.channel)}));`;
      break;
    case 'terminate':
      body = `$pusher->terminateUserConnections(${phpString(op.user)});`;
      break;
    case 'other':
      body = `// ${call.method} ${call.path.split('?')[0]} has no SDK helper; use curl.`;
      break;
    default:
      return unreachableOp(op);
  }
  return [...head, body].join('\n');
}

export function python(call: ApiCall, target: Target): string {
  const { host, port, tls } = hostPort(target.httpUrl);
  const head = [
    'import os',
    'import pusher  # pip install pusher',
    '',
    'client = pusher.Pusher(',
    `    app_id=${pyString(target.appId)},`,
    `    key=${pyString(target.key)},`,
    "    secret=os.environ['PUSHER_APP_SECRET'],",
    `    host=${pyString(host)},`,
    `    port=${port},`,
    `    ssl=${tls ? 'True' : 'False'},`,
    ')',
    '',
  ];
  const op = operation(call);
  let body: string;
  switch (op.op) {
    case 'trigger': {
      const e = op.event;
      const socket = e.socketId ? `, socket_id=${pyString(e.socketId)}` : '';
      body = `client.trigger(${pyLiteral(e.channels)}, ${pyString(e.name)}, ${pyLiteral(e.data)}${socket})`;
      break;
    }
    case 'batch':
      body = `client.trigger_batch([\n${op.events.map((e) => `    {"channel": ${pyString(e.channels[0] ?? '')}, "name": ${pyString(e.name)}, "data": ${pyLiteral(e.data, 1)}},`).join('\n')}\n])`;
      break;
    case 'channels':
      body = `print(client.channels_info(${op.params.filter_by_prefix ? `prefix_filter=${pyString(op.params.filter_by_prefix)}` : ''}))`;
      break;
    case 'channel':
      body = `print(client.channel_info(${pyString(op.channel)}${op.params.info ? `, ${pyLiteral(op.params.info.split(','))}` : ''}))`;
      break;
    case 'users':
      body = `print(client.users_info(${pyString(op.channel)}))`;
      break;
    case 'terminate':
      body = `client.terminate_user_connections(${pyString(op.user)})`;
      break;
    case 'other':
      body = `# ${call.method} ${call.path.split('?')[0]} has no SDK helper; use curl.`;
      break;
    default:
      return unreachableOp(op);
  }
  return [...head, body].join('\n');
}

export function snippet(language: Language, call: ApiCall, target: Target): string {
  switch (language) {
    case 'curl':
      return curl(call, target);
    case 'node':
      return node(call, target);
    case 'php':
      return php(call, target);
    case 'python':
      return python(call, target);
    default:
      return unreachableOp(language);
  }
}
