// Channels: the occupied channels with subscriber counts, and for the one picked its
// subscribers, presence members with their user info, and the cached event.
import { useState } from 'react';
import type { ChannelView } from '../bindings/ChannelView';
import { useApp } from '../context';
import { usePoll } from '../hooks/useAsync';
import { api } from '../lib/api';
import { clock } from '../lib/format';
import { Empty } from '../components/Empty';
import { JsonTree } from '../components/JsonTree';

type Row = ChannelView & { app: string; sockets: Map<number, string> };

function Details({ c }: { c: Row }) {
  const { compose, timeline, go } = useApp();
  return (
    <div className="pane-body">
      <h3>
        <code>{c.name}</code> <span className="muted">{c.kind}</span>
      </h3>
      <div className="actions">
        <button onClick={() => compose({ mode: 'server', app: c.app, channels: c.name })}>Publish to it</button>
        {(c.kind === 'private' || c.kind === 'presence' || /^(private|presence)-/.test(c.name)) && (
          <button onClick={() => compose({ mode: 'client', app: c.app, channels: c.name })}>Send a client event</button>
        )}
        <button onClick={() => (timeline.applyFilter(`channel:${c.name}`), go('timeline'))}>Show in timeline</button>
      </div>
      <h4>Subscribers ({c.subscribers.length})</h4>
      <ul className="chips">
        {c.subscribers.map((conn) => (
          <li key={conn}>
            <code>{c.sockets.get(conn) ?? `conn ${conn}`}</code>
          </li>
        ))}
      </ul>
      {c.members.length > 0 && (
        <>
          <h4>Members ({c.members.length})</h4>
          <table className="grid members">
            <thead>
              <tr><th>User</th><th>Info</th><th>Sockets</th></tr>
            </thead>
            <tbody>
              {c.members.map((m) => (
                <tr key={m.user_id}>
                  <td><code>{m.user_id}</code></td>
                  <td><JsonTree value={m.user_info} /></td>
                  <td className="num">{m.sockets.length}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      {c.cached && (
        <>
          <h4>Cached event</h4>
          <p>
            <code>{c.cached.event}</code> <span className="muted">stored {clock(c.cached.stored_at)}</span>
          </p>
          <pre>{c.cached.data}</pre>
        </>
      )}
    </div>
  );
}

export function ChannelsView() {
  const { compose } = useApp();
  const state = usePoll(api.state, 1000);
  const [picked, setPicked] = useState<string | null>(null);
  const rows: Row[] = (state.data?.apps ?? []).flatMap((a) => {
    const sockets = new Map(a.connections.map((c) => [c.conn, c.socket]));
    return a.channels.map((c) => ({ ...c, app: a.id, sockets }));
  });
  const current = rows.find((r) => `${r.app}/${r.name}` === picked);
  if (state.error && !state.data) return <Empty title="Cannot load channels">{state.error}</Empty>;
  return (
    <div className="two-pane">
      <section className="pane list-pane">
        <h2>Channels <span className="count">{rows.length}</span></h2>
        {rows.length === 0 ? (
          <Empty title="No occupied channels">
            <p>A channel appears here once a client subscribes to it.</p>
            <button onClick={() => compose({ mode: 'server' })}>Publish an event anyway</button>
          </Empty>
        ) : (
          <table className="grid">
            <thead>
              <tr><th>Channel</th><th>App</th><th>Kind</th><th>Subscribers</th><th>Members</th></tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={`${r.app}/${r.name}`} className={`${r.app}/${r.name}` === picked ? 'selected' : ''} onClick={() => setPicked(`${r.app}/${r.name}`)}>
                  <td><code>{r.name}</code></td>
                  <td>{r.app}</td>
                  <td>{r.kind}</td>
                  <td className="num">{r.subscription_count}</td>
                  <td className="num">{r.members.length || ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section className="pane">{current ? <Details c={current} /> : <Empty title="Pick a channel">See its subscribers, presence members with their user info, and the cached event.</Empty>}</section>
    </div>
  );
}
