// The inspector API client: typed fetches for every route in docs/inspector-api.md.
// Shapes the generated bindings do not cover (envelopes, info, sessions) are typed here.
import type { LiveState } from '../bindings/LiveState';
import type { Observation } from '../bindings/Observation';

export const API = '/inspector/api';

export type AppInfo = { id: string; key: string; secret_masked?: string; enabled: boolean; client_events: boolean };
export type Credentials = { id: string; key: string; secret: string };
export type SessionInfo = { id: number | string; name: string; started_at: number; ended_at: number | null; records: number; current: boolean };
export type Info = { version: string; ws_url: string; http_url: string; apps: AppInfo[]; recording: boolean; session: SessionInfo | null };
export type RecordsPage = { records: Observation[]; next_before: number | null; next_after: number | null };
export type Trace = { record: Observation; cause: Observation | null; effects: Observation[] };
export type FieldDoc = { name: string; example?: string; summary?: string; operators?: string[]; values?: string[] };
export type FilterCheck = { ok: true; fields?: (FieldDoc | string)[] } | { ok?: false; error: string; position?: number; length?: number; fields?: (FieldDoc | string)[] };
export type Values = { channels: string[]; events: string[]; sockets: string[]; users: string[]; apps: string[] };
export type Stats = { apps: Record<string, { events: number[]; connections: number[] }>; start: number };
export type Timing = 'original' | 'scaled' | 'fastest' | 'step';
export type ReplayRequest = {
  session?: number | string;
  seqs?: number[];
  filter?: string;
  records?: Observation[];
  timing: Timing;
  speed?: number;
  rename?: [string, string][];
  app?: string;
};
export type ReplayState = { id: string | number; total: number; done: number; state: 'running' | 'waiting' | 'finished' | 'cancelled' | 'failed'; error?: string };
export type ImportResult = { id: number | string; name: string; records: number; warnings: string[] };

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
    const err = (json ?? {}) as { error?: string; position?: number; length?: number };
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
  stats: (seconds = 300) => request<Stats>('GET', `/stats${q({ seconds })}`),
  records: (p: { session?: string | number; filter?: string; before?: number; after?: number; limit?: number }) =>
    request<RecordsPage>('GET', `/records${q(p)}`),
  trace: (seq: number, session?: string | number) => request<Trace>('GET', `/records/${seq}${q({ session })}`),
  checkFilter: async (filter: string): Promise<FilterCheck> => {
    const res = await fetch(withToken(`${API}/filter${q({ q: filter })}`));
    return (await res.json()) as FilterCheck;
  },
  publish: (b: { app: string; name: string; channels: string[]; data: string; socket_id?: string }) => request<{ ok: true }>('POST', '/actions/publish', b),
  clientEvent: (b: { app: string; channel: string; event: string; data: string; user_id?: string }) => request<{ ok: true }>('POST', '/actions/client-event', b),
  rawFrame: (b: { socket: string; text: string }) => request<{ ok: true }>('POST', '/actions/raw-frame', b),
  disconnect: (b: { socket: string; code: number; reason: string }) => request<{ ok: true }>('POST', '/actions/disconnect', b),
  terminate: (b: { app: string; user: string }) => request<{ ok: true }>('POST', '/actions/terminate', b),
  replay: (b: ReplayRequest) => request<{ id: string | number; total: number }>('POST', '/replay', b),
  replayState: (id: string | number) => request<ReplayState>('GET', `/replay/${id}`),
  replayStep: (id: string | number) => request<unknown>('POST', `/replay/${id}/step`),
  replayCancel: (id: string | number) => request<unknown>('DELETE', `/replay/${id}`),
  sessions: () => request<SessionInfo[]>('GET', '/sessions'),
  newSession: (name?: string) => request<SessionInfo>('POST', '/sessions', name ? { name } : {}),
  stopRecording: () => request<unknown>('POST', '/sessions/stop'),
  renameSession: (id: string | number, name: string) => request<unknown>('PATCH', `/sessions/${id}`, { name }),
  deleteSession: (id: string | number) => request<unknown>('DELETE', `/sessions/${id}`),
  exportUrl: (id: string | number, format: 'ndjson' | 'har') => withToken(`${API}/sessions/${id}/export?format=${format}`),
  importSession: (file: Blob) => request<ImportResult>('POST', '/sessions/import', undefined, file),
};

/** Loads up to `max` records, newest last, paging backwards. */
export async function loadHistory(p: { session?: string | number; filter?: string; max: number }): Promise<Observation[]> {
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
