// The shell: header with views and theme, the view shown, toasts, global shortcuts,
// and the ?bench=1 hook.
import { useCallback, useEffect, useMemo, useState } from 'react';
import { AppContext, VIEWS, type AppState, type ComposePreset, type ReplayPick, type View } from './context';
import { useTimeline } from './hooks/useTimeline';
import { usePoll } from './hooks/useAsync';
import { api } from './lib/api';
import { loadTheme, saveTheme, type Theme } from './lib/storage';
import { installBench } from './bench';
import { Toasts, useToasts } from './components/Toasts';
import { TimelineView } from './views/timeline/TimelineView';
import { ConnectionsView } from './views/ConnectionsView';
import { ChannelsView } from './views/ChannelsView';
import { ComposerView } from './views/ComposerView';
import { ReplayView } from './views/ReplayView';
import { SessionsView } from './views/SessionsView';
import { StatsView } from './views/StatsView';
import { StartView } from './views/StartView';

function viewFromHash(): View {
  const id = window.location.hash.replace(/^#\/?/, '');
  return VIEWS.find((v) => v.id === id)?.id ?? 'timeline';
}

function Body({ view }: { view: View }) {
  switch (view) {
    case 'timeline':
      return <TimelineView />;
    case 'connections':
      return <ConnectionsView />;
    case 'channels':
      return <ChannelsView />;
    case 'composer':
      return <ComposerView />;
    case 'replay':
      return <ReplayView />;
    case 'sessions':
      return <SessionsView />;
    case 'stats':
      return <StatsView />;
    case 'start':
      return <StartView />;
    default: {
      const never: never = view;
      return never;
    }
  }
}

export function App() {
  const [theme, setTheme] = useState<Theme>(loadTheme);
  const [view, setView] = useState<View>(viewFromHash);
  const [focus, setFocus] = useState<{ seq: number; id: number } | null>(null);
  const [replayPick, setReplayPick] = useState<ReplayPick | null>(null);
  const [composePreset, setComposePreset] = useState<ComposePreset | null>(null);
  const timeline = useTimeline();
  const info = usePoll(api.info, 5000);
  const { toasts, toast } = useToasts();

  useEffect(() => {
    document.documentElement.dataset.theme = theme;
    saveTheme(theme);
  }, [theme]);

  useEffect(() => {
    const onHash = () => setView(viewFromHash());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  useEffect(() => installBench(timeline), [timeline]);

  const go = useCallback((next: View) => {
    window.location.hash = `/${next}`;
    setView(next);
  }, []);

  const state = useMemo<AppState>(
    () => ({
      info: info.data,
      timeline,
      view,
      go,
      showRecord: (seq) => {
        setFocus((f) => ({ seq, id: (f?.id ?? 0) + 1 }));
        go('timeline');
      },
      focus,
      replayPick,
      startReplay: (pick) => {
        setReplayPick(pick);
        go('replay');
      },
      composePreset,
      compose: (preset) => {
        setComposePreset(preset);
        go('composer');
      },
      toast,
    }),
    [info.data, timeline, view, go, focus, replayPick, composePreset, toast],
  );

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!e.altKey || e.ctrlKey || e.metaKey) return;
      const target = VIEWS.find((v) => v.key === e.key || `Digit${v.key}` === e.code);
      if (target) {
        e.preventDefault();
        go(target.id);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [go]);

  return (
    <AppContext.Provider value={state}>
      <div className="app">
        <header className="top">
          <span className="brand" title={info.data ? `Switchboard ${info.data.version}` : 'Switchboard'}>
            Switchboard
          </span>
          <nav className="tabs" aria-label="Views">
            {VIEWS.map((v) => (
              <a key={v.id} href={`#/${v.id}`} className={v.id === view ? 'tab active' : 'tab'} title={`Alt+${v.key}`} aria-current={v.id === view ? 'page' : undefined}>
                {v.label}
              </a>
            ))}
          </nav>
          <span className="spacer" />
          <span className={`status ${timeline.status}`} title="Live stream from the inspector API">
            {timeline.status === 'open' ? 'live' : timeline.status}
          </span>
          {info.data && <span className="addr">{info.data.ws_url}</span>}
          <button className="ghost" onClick={() => setTheme(theme === 'dark' ? 'light' : 'dark')} title="Switch between dark and light">
            {theme === 'dark' ? 'Light theme' : 'Dark theme'}
          </button>
        </header>
        {info.error && !info.data && <div className="banner error">Cannot reach the inspector API: {info.error}</div>}
        <main className="body">
          <Body view={view} />
        </main>
        <Toasts toasts={toasts} />
      </div>
    </AppContext.Provider>
  );
}
