// App-wide context: server info, navigation between views, the timeline, and toasts.
import { createContext, useContext } from 'react';
import type { Info } from './bindings/Info';
import type { SessionId } from './bindings/SessionId';
import type { Timeline } from './hooks/useTimeline';

export type View = 'timeline' | 'connections' | 'channels' | 'composer' | 'replay' | 'sessions' | 'stats' | 'start';

export const VIEWS: readonly { id: View; label: string; key: string }[] = [
  { id: 'timeline', label: 'Timeline', key: '1' },
  { id: 'connections', label: 'Connections', key: '2' },
  { id: 'channels', label: 'Channels', key: '3' },
  { id: 'composer', label: 'Composer', key: '4' },
  { id: 'replay', label: 'Replay', key: '5' },
  { id: 'sessions', label: 'Sessions', key: '6' },
  { id: 'stats', label: 'Stats', key: '7' },
  { id: 'start', label: 'Getting started', key: '8' },
];

/** What the replay view is asked to replay when opened from the timeline. */
export type ReplayPick =
  | { type: 'seqs'; seqs: number[] }
  | { type: 'filter'; filter: string }
  | { type: 'session'; id: SessionId; name: string };

/** What the composer is pre-filled with when opened from elsewhere. */
export type ComposePreset = { mode: 'server' | 'client' | 'raw'; app?: string; channels?: string; socket?: string; user?: string };

export type AppState = {
  info: Info | null;
  timeline: Timeline;
  view: View;
  go: (view: View) => void;
  /** Opens the timeline on one record (fetching its trace when not loaded). */
  showRecord: (seq: number) => void;
  /** The record last asked for by showRecord (id changes on every request). */
  focus: { seq: number; id: number } | null;
  replayPick: ReplayPick | null;
  startReplay: (pick: ReplayPick) => void;
  composePreset: ComposePreset | null;
  compose: (preset: ComposePreset) => void;
  toast: (message: string, tone?: 'ok' | 'error') => void;
};

export const AppContext = createContext<AppState | null>(null);

export function useApp(): AppState {
  const state = useContext(AppContext);
  if (!state) throw new Error('useApp outside <AppContext.Provider>');
  return state;
}

/** The error message of anything thrown. */
export function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
