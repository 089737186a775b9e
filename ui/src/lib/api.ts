// The inspector API client: typed fetches for every route in docs/inspector-api.md. Every
// shape it sends or receives is generated from the server's Rust types (ui/src/bindings).
import type { ActionReply } from '../bindings/ActionReply';
import type { ClientEventBody } from '../bindings/ClientEventBody';
import type { Credentials } from '../bindings/Credentials';
import type { DisconnectBody } from '../bindings/DisconnectBody';
import type { ErrorBody } from '../bindings/ErrorBody';
import type { FilterCheck } from '../bindings/FilterCheck';
import type { ImportResult } from '../bindings/ImportResult';
import type { Info } from '../bindings/Info';
import type { LiveState } from '../bindings/LiveState';
import type { Observation } from '../bindings/Observation';
import type { OkReply } from '../bindings/OkReply';
import type { PublishBody } from '../bindings/PublishBody';
import type { RawFrameBody } from '../bindings/RawFrameBody';
import type { RecordsPage } from '../bindings/RecordsPage';
import type { ReplayRequest } from '../bindings/ReplayRequest';
import type { ReplayStarted } from '../bindings/ReplayStarted';
import type { ReplayStatus } from '../bindings/ReplayStatus';
import type { SessionEntry } from '../bindings/SessionEntry';
import type { SessionId } from '../bindings/SessionId';
import type { SessionInfo } from '../bindings/SessionInfo';
import type { SessionName } from '../bindings/SessionName';
import type { StatsReply } from '../bindings/StatsReply';
import type { StopReply } from '../bindings/StopReply';
import type { TerminateBody } from '../bindings/TerminateBody';
import type { Trace } from '../bindings/Trace';
import type { Values } from '../bindings/Values';

export const API = '/inspector/api';

/** An error answer from the API, with the filter position when there is one. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly position: number | null = null,
    readonly length: number | null = null,
  ) {
    super(message);
  }
}

/** The access token, when the page was opened with `?token=` (server bound beyond loopback). */
export function token(): string | null {
  return new URLSearchParams(globalThis.location?.search ?? '').get('token');
}

export function withToken(url: string): string {
  const t = token();
  if (!t) return url;
  return `${url}${url.includes('?') ? '&' : '?'}token=${encodeURIComponent(t)}`;
}

async function request<T>(method: string, path: string, body?: unknown, raw?: BodyInit): Promise<T> {
  const headers: Record<string, string> = {};
  const t = token();
  if (t) headers.Authorization = `Bearer ${t}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const init: RequestInit = { method, headers };
  if (body !== undefined) init.body = JSON.stringify(body);
  else if (raw !== undefined) init.body = raw;
  const res = await fetch(`${API}${path}`, init);
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!res.ok) {
    const err = (json ?? {}) as Partial<ErrorBody>;
    throw new ApiError(err.error ?? (text || `${res.status} ${res.statusText}`), res.status, err.position ?? null, err.length ?? null);
  }
  return json as T;
}

const q = (params: Record<string, string | number | undefined | null>): string => {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') search.set(k, String(v));
  const s = search.toString();
  return s ? `?${s}` : '';
};

export const api = {
  info: () => request<Info>('GET', '/info'),
  state: () => request<LiveState>('GET', '/state'),
  credentials: (app: string) => request<Credentials>('GET', `/apps/${encodeURIComponent(app)}/credentials`),
  values: () => request<Values>('GET', '/values'),
  stats: (seconds = 300) => request<StatsReply>('GET', `/stats${q({ seconds })}`),
  records: (p: { session?: SessionId; filter?: string; before?: number; after?: number; limit?: number }) =>
    request<RecordsPage>('GET', `/records${q(p)}`),
  trace: (seq: number, session?: SessionId) => request<Trace>('GET', `/records/${seq}${q({ session })}`),
  checkFilter: async (filter: string): Promise<FilterCheck> => {
    const res = await fetch(withToken(`${API}/filter${q({ q: filter })}`));
    return (await res.json()) as FilterCheck;
  },
  publish: (b: PublishBody) => request<ActionReply>('POST', '/actions/publish', b),
  clientEvent: (b: ClientEventBody) => request<ActionReply>('POST', '/actions/client-event', b),
  rawFrame: (b: RawFrameBody) => request<ActionReply>('POST', '/actions/raw-frame', b),
  disconnect: (b: DisconnectBody) => request<ActionReply>('POST', '/actions/disconnect', b),
  terminate: (b: TerminateBody) => request<ActionReply>('POST', '/actions/terminate', b),
  replay: (b: ReplayRequest) => request<ReplayStarted>('POST', '/replay', b),
  replayState: (id: number) => request<ReplayStatus>('GET', `/replay/${id}`),
  replayStep: (id: number) => request<ReplayStatus>('POST', `/replay/${id}/step`),
  replayCancel: (id: number) => request<ReplayStatus>('DELETE', `/replay/${id}`),
  sessions: () => request<SessionEntry[]>('GET', '/sessions'),
  newSession: (name?: string) => request<SessionInfo>('POST', '/sessions', (name ? { name } : {}) satisfies SessionName),
  stopRecording: () => request<StopReply>('POST', '/sessions/stop'),
  renameSession: (id: SessionId, name: string) => request<SessionInfo>('PATCH', `/sessions/${id}`, { name } satisfies SessionName),
  deleteSession: (id: SessionId) => request<OkReply>('DELETE', `/sessions/${id}`),
  exportUrl: (id: SessionId, format: 'ndjson' | 'har') => withToken(`${API}/sessions/${id}/export?format=${format}`),
  importSession: (file: Blob) => request<ImportResult>('POST', '/sessions/import', undefined, file),
};

/** Loads up to `max` records, newest last, paging backwards. */
export async function loadHistory(p: { session?: SessionId; filter?: string; max: number }): Promise<Observation[]> {
  const pages: Observation[][] = [];
  let before: number | undefined;
  let got = 0;
  while (got < p.max) {
    const page = await api.records({ session: p.session, filter: p.filter, before, limit: Math.min(5000, p.max - got) });
    if (page.records.length === 0) break;
    pages.unshift(page.records);
    got += page.records.length;
    if (page.next_before === null) break;
    before = page.next_before;
  }
  return pages.flat();
}
