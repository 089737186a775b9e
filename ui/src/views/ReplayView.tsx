// Replay: what to replay (picked records, a filter's matches, or a whole session), the
// timing (original, scaled, fastest, step), channel renames, the target app; then a
// progress bar with step and cancel.
import { useEffect, useState } from 'react';
import { useApp, message, type ReplayPick } from '../context';
import { usePoll } from '../hooks/useAsync';
import type { ReplayRequest } from '../bindings/ReplayRequest';
import type { ReplayStatus } from '../bindings/ReplayStatus';
import { api } from '../lib/api';
import { Empty } from '../components/Empty';

type Timing = NonNullable<ReplayRequest['timing']>;

const TIMINGS: readonly { id: Timing; label: string }[] = [
  { id: 'original', label: 'Original timing' },
  { id: 'scaled', label: 'Scaled' },
  { id: 'fastest', label: 'As fast as possible' },
  { id: 'step', label: 'One step at a time' },
];

function describe(pick: ReplayPick): string {
  switch (pick.type) {
    case 'seqs':
      return `${pick.seqs.length} picked record${pick.seqs.length === 1 ? '' : 's'}`;
    case 'filter':
      return `everything matching ${pick.filter}`;
    case 'session':
      return `the whole session “${pick.name}”`;
    default: {
      const never: never = pick;
      return never;
    }
  }
}

function Progress({ run, onDone }: { run: ReplayStatus; onDone: () => void }) {
  const { toast } = useApp();
  const pct = run.total > 0 ? Math.round((run.done / run.total) * 100) : 100;
  const active = run.state === 'running' || run.state === 'waiting';
  return (
    <div className="replay-progress">
      <div className="progress" role="progressbar" aria-valuemin={0} aria-valuemax={run.total} aria-valuenow={run.done}>
        <div className="bar" style={{ width: `${pct}%` }} />
      </div>
      <p>
        {run.done} / {run.total} — <strong className="replay-state">{run.state}</strong>
        {run.failed > 0 && <span className="bad"> {run.failed} failed{run.last_error ? `: ${run.last_error}` : ''}</span>}
      </p>
      <div className="actions">
        {run.state === 'waiting' && <button className="primary" onClick={() => void api.replayStep(run.id).catch((e: unknown) => toast(message(e), 'error'))}>Next step</button>}
        {active && <button className="danger" onClick={() => void api.replayCancel(run.id).catch((e: unknown) => toast(message(e), 'error'))}>Cancel</button>}
        {!active && <button onClick={onDone}>Replay something else</button>}
      </div>
    </div>
  );
}

export function ReplayView() {
  const { replayPick, info, toast, go } = useApp();
  const sessions = usePoll(api.sessions, 0);
  const [pick, setPick] = useState<ReplayPick | null>(replayPick);
  const [timing, setTiming] = useState<Timing>('original');
  const [speed, setSpeed] = useState(2);
  const [rename, setRename] = useState<[string, string][]>([]);
  const [app, setApp] = useState('');
  const [runId, setRunId] = useState<number | null>(null);
  const [run, setRun] = useState<ReplayStatus | null>(null);

  useEffect(() => setPick(replayPick), [replayPick]);
  useEffect(() => {
    if (runId === null) return;
    const timer = setInterval(() => void api.replayState(runId).then(setRun, () => undefined), 250);
    return () => clearInterval(timer);
  }, [runId]);

  const start = () => {
    if (!pick) return;
    const body: ReplayRequest = { timing };
    if (timing === 'scaled') body.speed = speed;
    const renames = rename.filter(([from, to]) => from && to).map(([from, to]) => ({ from, to }));
    if (renames.length > 0) body.rename = renames;
    if (app) body.app = app;
    if (pick.type === 'seqs') body.seqs = pick.seqs;
    if (pick.type === 'filter') body.filter = pick.filter;
    if (pick.type === 'session') body.session = String(pick.id);
    api.replay(body).then(
      (r) => {
        setRunId(r.id);
        setRun({ id: r.id, total: r.total, done: 0, failed: 0, state: 'running', last_error: null });
      },
      (e: unknown) => toast(message(e), 'error'),
    );
  };

  if (run) return <div className="pane narrow"><h2>Replay</h2><Progress run={run} onDone={() => (setRun(null), setRunId(null))} /></div>;

  return (
    <div className="pane narrow">
      <h2>Replay</h2>
      <h4>What</h4>
      {pick ? (
        <p>
          Replaying <strong>{describe(pick)}</strong> <button className="small ghost" onClick={() => setPick(null)}>change</button>
        </p>
      ) : (
        <Empty title="Pick what to replay">
          <p>Select rows in the timeline (click, shift-click) and press “Replay selected”, or filter and press “Replay all matches”. Or replay a whole session:</p>
          <button onClick={() => go('timeline')}>Go to the timeline</button>
        </Empty>
      )}
      {!pick && (sessions.data ?? []).length > 0 && (
        <ul className="templates">
          {(sessions.data ?? []).map((s) => (
            <li key={s.id}>
              <button className="link" onClick={() => setPick({ type: 'session', id: s.id, name: s.name })}>{s.name}</button>
              <span className="muted">{s.records} records</span>
            </li>
          ))}
        </ul>
      )}
      <h4>Timing</h4>
      <div className="segmented">
        {TIMINGS.map((t) => (
          <button key={t.id} className={timing === t.id ? 'active' : ''} onClick={() => setTiming(t.id)} aria-pressed={timing === t.id}>{t.label}</button>
        ))}
      </div>
      {timing === 'scaled' && (
        <label className="inline">
          Speed ×<input type="number" min={0.1} max={100} step={0.1} value={speed} onChange={(e) => setSpeed(Number(e.target.value))} aria-label="Speed" />
        </label>
      )}
      <h4>Channel renames</h4>
      {rename.map(([from, to], i) => (
        <div className="inline-form" key={i}>
          <input value={from} placeholder="from channel" aria-label="Rename from" onChange={(e) => setRename(rename.map((r, j) => (j === i ? [e.target.value, r[1]] : r)))} />
          →
          <input value={to} placeholder="to channel" aria-label="Rename to" onChange={(e) => setRename(rename.map((r, j) => (j === i ? [r[0], e.target.value] : r)))} />
          <button className="small ghost" onClick={() => setRename(rename.filter((_, j) => j !== i))} aria-label="Remove rename">×</button>
        </div>
      ))}
      <button className="small" onClick={() => setRename([...rename, ['', '']])}>Add a rename</button>
      <h4>Into app</h4>
      <select value={app} onChange={(e) => setApp(e.target.value)} aria-label="Target app">
        <option value="">the app each record came from</option>
        {(info?.apps ?? []).map((a) => <option key={a.id} value={a.id}>{a.id}</option>)}
      </select>
      <div className="actions">
        <button className="primary" disabled={!pick} onClick={start}>Start replay</button>
      </div>
    </div>
  );
}
