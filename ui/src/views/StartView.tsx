// Getting started: copy-paste snippets for the running server and a chosen app, and
// plain explanations of the refusals clients met recently.
import { useState } from 'react';
import { useApp } from '../context';
import { usePoll } from '../hooks/useAsync';
import { api } from '../lib/api';
import { address, guide, GUIDES, type Guide } from '../lib/gettingStarted';
import { explain } from '../lib/explain';
import { clock } from '../lib/format';
import { CodeBlock } from '../components/CodeBlock';
import { Empty } from '../components/Empty';

const REFUSALS = 'kind:connection_refused or kind:subscription_refused or kind:client_event_rejected or kind:sign_in_refused';

function Refusals() {
  const { info, showRecord } = useApp();
  const page = usePoll(() => api.records({ filter: REFUSALS, limit: 5 }), 3000);
  const records = (page.data?.records ?? []).slice().reverse();
  const keys = info?.apps.map((a) => a.key) ?? [];
  return (
    <section>
      <h3>When a client is refused</h3>
      {records.length === 0 ? (
        <p className="muted">No refusals so far. If one happens, it is explained here and in the timeline.</p>
      ) : (
        records.map((r) => {
          const e = explain(r, keys);
          return e ? (
            <div key={r.seq} className="explain">
              <strong>{e.title}</strong> <span className="muted">{clock(r.at)}</span>{' '}
              <button className="link" onClick={() => showRecord(r.seq)}>#{r.seq}</button>
              <p>{e.body}</p>
              <p className="fix">Fix: {e.fix}</p>
            </div>
          ) : null;
        })
      )}
      <dl className="faq">
        <dt>Wrong key</dt>
        <dd>The socket closes with 4001. Use the key of an app listed above.</dd>
        <dt>Bad signature</dt>
        <dd>Private and presence subscriptions are refused with the string that was signed and the signature expected: your backend signs with another secret, or signs another socket id or channel.</dd>
        <dt>TLS expected</dt>
        <dd>This server speaks plain ws:// and http://. With pusher-js set forceTLS: false (Echo: VITE_PUSHER_SCHEME=http); a client that insists on wss:// never connects and shows no record here.</dd>
      </dl>
    </section>
  );
}

export function StartView() {
  const { info } = useApp();
  const [g, setG] = useState<Guide>('pusher-js');
  const [appId, setAppId] = useState('');
  const chosen = appId || info?.apps[0]?.id || '';
  const creds = usePoll(() => (chosen ? api.credentials(chosen) : Promise.resolve(null)), 0, [chosen]);
  if (!info) return <Empty title="Loading server details…" />;
  const app = info.apps.find((a) => a.id === appId) ?? info.apps[0];
  if (!app) return <Empty title="No apps configured">Add an [[apps]] table to switchboard.toml, or set PUSHER_APP_ID/KEY/SECRET in .env.</Empty>;
  const a = address(info.ws_url);
  const withSecret = { ...app, secret: creds.data?.id === app.id ? creds.data.secret : null };
  return (
    <div className="pane narrow">
      <h2>Connect your app</h2>
      <p>
        This server listens on <code>{info.ws_url}</code> (WebSocket) and <code>{info.http_url}</code> (HTTP API). Point your Pusher client and server SDK at it with the keys of an app:
      </p>
      <div className="inline-form">
        <label>
          App
          <select value={app.id} onChange={(e) => setAppId(e.target.value)} aria-label="App">
            {info.apps.map((x) => <option key={x.id} value={x.id}>{x.id}</option>)}
          </select>
        </label>
        <span>
          key <code>{app.key}</code> · secret <code>{withSecret.secret ?? app.secret_masked}</code> · client events {app.client_events ? 'on' : 'off'}
          {!app.enabled && <strong className="bad"> · disabled</strong>}
        </span>
      </div>
      <div className="subtabs" role="tablist">
        {GUIDES.map((x) => (
          <button key={x.id} role="tab" aria-selected={g === x.id} className={g === x.id ? 'active' : ''} onClick={() => setG(x.id)}>{x.label}</button>
        ))}
      </div>
      {guide(g, a, withSecret).map((b) => <CodeBlock key={b.title} title={b.title} text={b.text} />)}
      <Refusals />
    </div>
  );
}
