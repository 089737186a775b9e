// Sessions: the recorded sessions; open, rename, delete, export (NDJSON or HAR) and
// import; start a new session or stop recording.
import { useState } from 'react';
import type { SessionEntry } from '../bindings/SessionEntry';
import { useApp, message } from '../context';
import { usePoll } from '../hooks/useAsync';
import { api } from '../lib/api';
import { count, dateTime, duration } from '../lib/format';
import { download, pickFile } from '../lib/platform';
import { Empty } from '../components/Empty';

function SessionRow({ s, reload }: { s: SessionEntry; reload: () => void }) {
  const { timeline, go, toast, startReplay } = useApp();
  const [name, setName] = useState<string | null>(null);
  const [confirm, setConfirm] = useState(false);
  const act = (p: Promise<unknown>, done: string) => p.then(() => (toast(done), reload()), (e: unknown) => toast(message(e), 'error'));
  const slug = s.name.replace(/[^\w.-]+/g, '-') || `session-${s.id}`;
  return (
    <tr className={s.current ? 'current' : ''}>
      <td>
        {name === null ? (
          <span>{s.name}{s.current && <span className="pill">recording</span>}</span>
        ) : (
          <form className="inline-form" onSubmit={(e) => (e.preventDefault(), void act(api.renameSession(s.id, name), 'Renamed'), setName(null))}>
            <input autoFocus value={name} onChange={(e) => setName(e.target.value)} aria-label="Session name" />
            <button type="submit">Save</button>
            <button type="button" className="ghost" onClick={() => setName(null)}>Cancel</button>
          </form>
        )}
      </td>
      <td>{dateTime(s.started_at)}</td>
      <td>{s.ended_at ? duration(s.ended_at - s.started_at) : 'ongoing'}</td>
      <td className="num">{count(s.records)}</td>
      <td className="actions">
        <button className="small" onClick={() => (timeline.openSource({ type: 'session', id: s.id, name: s.name }), go('timeline'))}>Open</button>
        <button className="small" onClick={() => setName(s.name)}>Rename</button>
        <button className="small" onClick={() => download(api.exportUrl(s.id, 'ndjson'), `${slug}.ndjson`)}>Export NDJSON</button>
        <button className="small" onClick={() => download(api.exportUrl(s.id, 'har'), `${slug}.har`)}>Export HAR</button>
        <button className="small" onClick={() => startReplay({ type: 'session', id: s.id, name: s.name })}>Replay</button>
        {!s.current &&
          (confirm ? (
            <>
              <button className="small danger" onClick={() => void act(api.deleteSession(s.id), 'Deleted')}>Delete for good</button>
              <button className="small ghost" onClick={() => setConfirm(false)}>Keep</button>
            </>
          ) : (
            <button className="small ghost" onClick={() => setConfirm(true)}>Delete</button>
          ))}
      </td>
    </tr>
  );
}

export function SessionsView() {
  const { toast, info } = useApp();
  const sessions = usePoll(api.sessions, 3000);
  const list = sessions.data ?? [];
  const importFile = async () => {
    const file = await pickFile('.ndjson,.jsonl,.har,application/json');
    if (!file) return;
    try {
      const r = await api.importSession(file);
      toast(`Imported “${r.name}”: ${count(r.records)} records${r.warnings.length ? `, ${r.warnings.length} warnings` : ''}`);
      for (const w of r.warnings.slice(0, 3)) toast(w, 'error');
      sessions.reload();
    } catch (e) {
      toast(message(e), 'error');
    }
  };
  const act = (p: Promise<unknown>, done: string) => p.then(() => (toast(done), sessions.reload()), (e: unknown) => toast(message(e), 'error'));
  return (
    <div className="pane">
      <div className="pane-title">
        <h2>Sessions</h2>
        <span className="spacer" />
        <button onClick={() => void act(api.newSession(), 'Started a new session')}>New session</button>
        {info?.recording && <button onClick={() => void act(api.stopRecording(), 'Recording stopped')}>Stop recording</button>}
        <button className="primary" onClick={() => void importFile()}>Import…</button>
      </div>
      {sessions.error && <p className="bad">{sessions.error}</p>}
      {list.length === 0 ? (
        <Empty title="No sessions recorded">Traffic is recorded into a session as it arrives. Import an NDJSON or HAR export to look at someone else’s.</Empty>
      ) : (
        <table className="grid">
          <thead>
            <tr><th>Name</th><th>Started</th><th>Length</th><th>Records</th><th /></tr>
          </thead>
          <tbody>
            {list.map((s) => <SessionRow key={s.id} s={s} reload={sessions.reload} />)}
          </tbody>
        </table>
      )}
    </div>
  );
}
