// The composer: publish as the server, send a client event as a virtual client, or a
// raw frame to one socket; JSON validated as typed; templates saved by name.
import { useEffect, useState } from 'react';
import { useApp, message } from '../context';
import type { Values } from '../bindings/Values';
import { api } from '../lib/api';
import { toAction, validate, type Action, type Draft, type Mode } from '../lib/compose';
import { loadTemplates, saveTemplates, upsert, type Template } from '../lib/storage';
import { Templates } from './Templates';

const MODES: readonly { id: Mode; label: string; help: string }[] = [
  { id: 'server', label: 'As the server', help: 'Like your backend calling trigger(): to channels, or to one user.' },
  { id: 'client', label: 'As a client', help: 'A client event on a private or presence channel, from a virtual client.' },
  { id: 'raw', label: 'Raw frame', help: 'Exact text sent to one socket, as if the server wrote it.' },
];

const blank: Draft = { mode: 'server', app: '', channels: 'my-channel', event: 'test-event', data: '{\n  "message": "hello"\n}', socket: '', user: '', toUser: false };

function send(action: Action): Promise<unknown> {
  switch (action.route) {
    case 'publish':
      return api.publish(action.body);
    case 'client-event':
      return api.clientEvent(action.body);
    case 'raw-frame':
      return api.rawFrame(action.body);
    default: {
      const never: never = action;
      return never;
    }
  }
}

export function ComposerView() {
  const { info, composePreset, toast } = useApp();
  const [d, setD] = useState<Draft>(blank);
  const [values, setValues] = useState<Values | null>(null);
  const [templates, setTemplates] = useState<Template[]>(loadTemplates);
  const [busy, setBusy] = useState(false);

  useEffect(() => void api.values().then(setValues, () => undefined), []);
  useEffect(() => {
    if (!composePreset) return;
    setD((cur) => ({ ...cur, ...composePreset, data: composePreset.mode === 'raw' ? '{"event":"my-event","channel":"my-channel","data":"{}"}' : cur.data }));
  }, [composePreset]);
  useEffect(() => {
    const first = info?.apps[0]?.id;
    if (first && !d.app) setD((cur) => ({ ...cur, app: first }));
  }, [info, d.app]);

  const problems = validate(d);
  const problem = (field: keyof Draft) => problems.find((p) => p.field === field)?.message;
  const set = <K extends keyof Draft>(k: K, v: Draft[K]) => setD((cur) => ({ ...cur, [k]: v }));

  const submit = () => {
    if (problems.length > 0) return;
    setBusy(true);
    send(toAction(d))
      .then(
        () => toast(d.mode === 'raw' ? `Sent a frame to ${d.socket}` : `Published ${d.event}`),
        (e: unknown) => toast(message(e), 'error'),
      )
      .finally(() => setBusy(false));
  };

  return (
    <div className="two-pane">
      <section className="pane composer">
        <h2>Composer</h2>
        <div className="segmented" role="tablist">
          {MODES.map((m) => (
            <button key={m.id} role="tab" aria-selected={d.mode === m.id} className={d.mode === m.id ? 'active' : ''} onClick={() => set('mode', m.id)}>
              {m.label}
            </button>
          ))}
        </div>
        <p className="muted">{MODES.find((m) => m.id === d.mode)?.help}</p>
        <form className="form" onSubmit={(e) => (e.preventDefault(), submit())}>
          {d.mode !== 'raw' && (
            <label>
              App
              <select value={d.app} onChange={(e) => set('app', e.target.value)} aria-label="App">
                {(info?.apps ?? []).map((a) => (
                  <option key={a.id} value={a.id}>{a.id} ({a.key})</option>
                ))}
              </select>
            </label>
          )}
          {d.mode === 'server' && (
            <label className="check">
              <input type="checkbox" checked={d.toUser} onChange={(e) => set('toUser', e.target.checked)} /> Send to a user (#server-to-user-…)
            </label>
          )}
          {d.mode !== 'raw' && !(d.mode === 'server' && d.toUser) && (
            <Field label={d.mode === 'client' ? 'Channel' : 'Channels'} error={problem('channels')}>
              <input list="known-channels" value={d.channels} onChange={(e) => set('channels', e.target.value)} placeholder={d.mode === 'client' ? 'private-chat' : 'my-channel, other-channel'} aria-label="Channels" />
            </Field>
          )}
          {(d.mode === 'client' || (d.mode === 'server' && d.toUser)) && (
            <Field label={d.mode === 'client' ? 'As user (optional)' : 'User id'} error={problem('user')}>
              <input list="known-users" value={d.user} onChange={(e) => set('user', e.target.value)} aria-label="User" />
            </Field>
          )}
          {d.mode !== 'raw' && (
            <Field label="Event" error={problem('event')}>
              <input list="known-events" value={d.event} onChange={(e) => set('event', e.target.value)} aria-label="Event" />
            </Field>
          )}
          {d.mode !== 'client' && (
            <Field label={d.mode === 'raw' ? 'Socket' : 'Exclude socket (optional)'} error={problem('socket')}>
              <input list="known-sockets" value={d.socket} onChange={(e) => set('socket', e.target.value)} placeholder="123.456" aria-label="Socket" />
            </Field>
          )}
          <Field label={d.mode === 'raw' ? 'Frame (JSON)' : 'Data (JSON)'} error={problem('data')}>
            <textarea rows={10} spellCheck={false} value={d.data} onChange={(e) => set('data', e.target.value)} aria-label="Data" />
          </Field>
          <div className="actions">
            <button type="submit" className="primary" disabled={busy || problems.length > 0}>
              {d.mode === 'raw' ? 'Send frame' : 'Publish'}
            </button>
            <span className="muted">{problems.length > 0 ? `${problems.length} thing${problems.length > 1 ? 's' : ''} to fix` : 'Ready'}</span>
          </div>
        </form>
        <datalist id="known-channels">{values?.channels.map((v) => <option key={v} value={v} />)}</datalist>
        <datalist id="known-events">{values?.events.map((v) => <option key={v} value={v} />)}</datalist>
        <datalist id="known-sockets">{values?.sockets.map((v) => <option key={v} value={v} />)}</datalist>
        <datalist id="known-users">{values?.users.map((v) => <option key={v} value={v} />)}</datalist>
      </section>
      <section className="pane">
        <Templates
          templates={templates}
          onLoad={(t) => setD({ ...d, ...t, toUser: false })}
          onSave={(name) => {
            const next = upsert(templates, { name, mode: d.mode, app: d.app, channels: d.channels, event: d.event, data: d.data, socket: d.socket, user: d.user });
            setTemplates(next);
            saveTemplates(next);
          }}
          onDelete={(name) => {
            const next = templates.filter((t) => t.name !== name);
            setTemplates(next);
            saveTemplates(next);
          }}
        />
      </section>
    </div>
  );
}

function Field({ label, error, children }: { label: string; error: string | undefined; children: React.ReactNode }) {
  return (
    <label className={error ? 'invalid' : ''}>
      {label}
      {children}
      {error && <span className="field-error">{error}</span>}
    </label>
  );
}
