// Connections: the live list with counts, and for the one picked its details, its own
// timeline, disconnect with a chosen close code, terminate its user, send it a frame.
import { useState } from 'react';
import type { ConnectionView } from '../bindings/ConnectionView';
import { useApp, message } from '../context';
import { usePoll } from '../hooks/useAsync';
import { api } from '../lib/api';
import { ago, count } from '../lib/format';
import { Empty } from '../components/Empty';
import { MiniTimeline } from './MiniTimeline';

type Row = ConnectionView & { app: string };

const CODES: readonly [number, string][] = [
  [4009, 'unauthorized'],
  [4200, 'reconnect now'],
  [4100, 'over capacity: back off'],
  [4201, 'pong not received'],
  [4000, 'custom: do not reconnect'],
  [1000, 'normal closure'],
];

function DisconnectForm({ socket }: { socket: string }) {
  const { toast } = useApp();
  const [code, setCode] = useState(4200);
  const [reason, setReason] = useState('Closed from the inspector');
  const valid = code === 1000 || (code >= 4000 && code <= 4999);
  return (
    <form
      className="inline-form"
      onSubmit={(e) => {
        e.preventDefault();
        api.disconnect({ socket, code, reason }).then(
          () => toast(`Closed ${socket} with ${code}`),
          (err: unknown) => toast(message(err), 'error'),
        );
      }}
    >
      <label>
        Close code
        <input type="number" list="close-codes" value={code} min={1000} max={4999} onChange={(e) => setCode(Number(e.target.value))} aria-label="Close code" />
        <datalist id="close-codes">
          {CODES.map(([c, l]) => (
            <option key={c} value={c} label={l} />
          ))}
        </datalist>
      </label>
      <label>
        Reason
        <input value={reason} onChange={(e) => setReason(e.target.value)} aria-label="Close reason" />
      </label>
      <button type="submit" className="danger" disabled={!valid} title={valid ? '' : 'Use 1000 or 4000–4999'}>
        Disconnect
      </button>
    </form>
  );
}

function Details({ c }: { c: Row }) {
  const { toast, compose, timeline, go } = useApp();
  return (
    <div className="pane-body">
      <h3>
        Socket <code>{c.socket}</code>
      </h3>
      <dl className="fields">
        <div className="field-row"><dt>app</dt><dd>{c.app}</dd></div>
        <div className="field-row"><dt>user</dt><dd>{c.user ?? 'not signed in'}</dd></div>
        <div className="field-row"><dt>client</dt><dd>{[c.client, c.version].filter(Boolean).join(' ') || 'unknown'}</dd></div>
        <div className="field-row"><dt>remote</dt><dd>{c.remote ?? '—'}</dd></div>
        <div className="field-row"><dt>user agent</dt><dd className="wrap">{c.user_agent ?? '—'}</dd></div>
        <div className="field-row"><dt>connected</dt><dd>{ago(c.since, Date.now())}</dd></div>
        <div className="field-row"><dt>messages in</dt><dd>{count(c.messages_in)}</dd></div>
        <div className="field-row"><dt>channels</dt><dd className="wrap">{c.channels.join(', ') || 'none'}</dd></div>
      </dl>
      <div className="actions">
        <button onClick={() => (timeline.applyFilter(`socket:${c.socket}`), go('timeline'))}>Show in timeline</button>
        <button onClick={() => compose({ mode: 'raw', socket: c.socket, app: c.app })}>Send a frame</button>
        {c.user && (
          <button
            className="danger"
            onClick={() =>
              api.terminate({ app: c.app, user: c.user ?? '' }).then(
                () => toast(`Terminated user ${c.user ?? ''}`),
                (e: unknown) => toast(message(e), 'error'),
              )
            }
          >
            Terminate user {c.user}
          </button>
        )}
      </div>
      <DisconnectForm socket={c.socket} />
      <h4>This connection’s timeline</h4>
      <MiniTimeline filter={`socket:${c.socket}`} />
    </div>
  );
}

export function ConnectionsView() {
  const { go } = useApp();
  const state = usePoll(api.state, 1000);
  const [picked, setPicked] = useState<string | null>(null);
  const rows: Row[] = (state.data?.apps ?? []).flatMap((a) => a.connections.map((c) => ({ ...c, app: a.id })));
  const current = rows.find((r) => r.socket === picked);
  if (state.error && !state.data) return <Empty title="Cannot load connections">{state.error}</Empty>;
  return (
    <div className="two-pane">
      <section className="pane list-pane">
        <h2>Connections <span className="count">{rows.length}</span></h2>
        {rows.length === 0 ? (
          <Empty title="No connections">
            <p>Open your app, or connect pusher-js to this server.</p>
            <button className="primary" onClick={() => go('start')}>Show me how</button>
          </Empty>
        ) : (
          <table className="grid">
            <thead>
              <tr><th>Socket</th><th>App</th><th>User</th><th>Channels</th><th>In</th><th>Client</th><th>Since</th></tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.socket} className={r.socket === picked ? 'selected' : ''} onClick={() => setPicked(r.socket)}>
                  <td><code>{r.socket}</code></td>
                  <td>{r.app}</td>
                  <td>{r.user ?? ''}</td>
                  <td className="num">{r.channels.length}</td>
                  <td className="num">{count(r.messages_in)}</td>
                  <td>{[r.client, r.version].filter(Boolean).join(' ')}</td>
                  <td>{ago(r.since, Date.now())}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section className="pane">
        {current ? <Details c={current} /> : <Empty title="Pick a connection">See its details and own timeline, close it with a code, or terminate its user.</Empty>}
      </section>
    </div>
  );
}
