// The detail pane for one record: its fields (each filterable), a plain explanation
// when it is a refusal, and tabs for the decoded payload, the raw frame, the delivery
// trace and "copy as" snippets for HTTP API calls.
import { useEffect, useState } from 'react';
import type { Observation } from '../../bindings/Observation';
import { useApp, message } from '../../context';
import type { Trace } from '../../bindings/Trace';
import { api } from '../../lib/api';
import { clock, closeCodeMeaning, kindInfo } from '../../lib/format';
import { channelOf, decode, eventOf } from '../../lib/payload';
import { direction, rawText, status } from '../../lib/records';
import { termFor } from '../../lib/filterText';
import { JsonTree } from '../../components/JsonTree';
import { CopyButton } from '../../components/CodeBlock';
import { Explain } from './Explain';
import { TraceView } from './TraceView';
import { CopyAs } from './CopyAs';

type Tab = 'payload' | 'raw' | 'trace' | 'copy';
type Props = { seq: number; record: Observation | undefined; onFilter: (term: string) => void; onClose: () => void };

export function DetailPane({ seq, record: held, onFilter, onClose }: Props) {
  const { timeline, showRecord } = useApp();
  const [trace, setTrace] = useState<Trace | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tab, setTab] = useState<Tab>('payload');
  const session = timeline.source.type === 'session' ? timeline.source.id : undefined;

  useEffect(() => {
    api.trace(seq, session).then(setTrace, (e: unknown) => setError(message(e)));
  }, [seq, session]);

  const record = held ?? trace?.record;
  if (!record) {
    return (
      <aside className="detail">
        <div className="detail-head">
          <strong>Record #{seq}</strong>
          <button className="ghost small" onClick={onClose} aria-label="Close details">×</button>
        </div>
        <p className="muted">{error ? `Cannot load it: ${error}` : 'Loading…'}</p>
      </aside>
    );
  }

  const decoded = decode(record);
  const code = status(record);
  const fields: [string, string, string | number | null | undefined][] = [
    ['app', 'app', record.app],
    ['socket', 'socket', record.socket],
    ['user', 'user', record.user],
    ['channel', 'channel', channelOf(record)],
    ['event', 'event', eventOf(record)],
    ['origin', 'origin', record.origin],
    ['direction', 'dir', direction(record) === 'none' ? null : direction(record)],
    ['status', 'status', code],
  ];
  const raw = rawText(record);
  const tabs: Tab[] = ['payload', 'raw', 'trace', ...(record.kind === 'api_request' ? (['copy'] as const) : [])];

  return (
    <aside className="detail" aria-label="Record details">
      <div className="detail-head">
        <span className={`badge tone-${kindInfo(record.kind).tone}`}>{kindInfo(record.kind).label}</span>
        <strong>#{record.seq}</strong>
        <span className="muted">{clock(record.at)}</span>
        <span className="spacer" />
        <button className="ghost small" onClick={onClose} aria-label="Close details" title="Esc">×</button>
      </div>
      <dl className="fields">
        {fields.map(([label, field, value]) =>
          value === null || value === undefined || value === '' ? null : (
            <div key={label} className="field-row">
              <dt>{label}</dt>
              <dd>
                <span>{String(value)}</span>
                {field === 'status' && typeof value === 'number' && value >= 1000 && <span className="muted"> {closeCodeMeaning(value)}</span>}
                <button className="small ghost filter-btn" onClick={() => onFilter(field === 'status' ? `status:${value}` : termFor(field, value))} title="Filter by this value">
                  filter
                </button>
              </dd>
            </div>
          ),
        )}
        {record.cause != null && (
          <div className="field-row">
            <dt>caused by</dt>
            <dd>
              <button className="link" onClick={() => record.cause != null && showRecord(record.cause)}>
                #{record.cause}
              </button>
            </dd>
          </div>
        )}
      </dl>
      <Explain record={record} />
      <div className="subtabs" role="tablist">
        {tabs.map((t) => (
          <button key={t} role="tab" aria-selected={tab === t} className={tab === t ? 'active' : ''} onClick={() => setTab(t)}>
            {t === 'payload' ? 'Payload' : t === 'raw' ? 'Raw' : t === 'trace' ? 'Trace' : 'Copy as'}
          </button>
        ))}
      </div>
      <div className="detail-body">
        {tab === 'payload' &&
          (decoded?.data !== undefined ? (
            <>
              {decoded.doubleEncoded && <p className="muted">data arrived as a JSON string and was decoded.</p>}
              <JsonTree value={decoded.data} />
            </>
          ) : decoded?.frame != null ? (
            <JsonTree value={decoded.frame} />
          ) : (
            <JsonTree value={detailFields(record)} />
          ))}
        {tab === 'raw' &&
          (raw !== null ? (
            <div className="code-block">
              <div className="code-head">
                <span>{decoded?.error ? `not JSON: ${decoded.error}` : 'as on the wire'}</span>
                <CopyButton text={raw} />
              </div>
              <pre>{raw}</pre>
            </div>
          ) : (
            <pre>{JSON.stringify(record, null, 2)}</pre>
          ))}
        {tab === 'trace' && <TraceView record={record} trace={trace} error={error} />}
        {tab === 'copy' && record.kind === 'api_request' && <CopyAs record={record} />}
      </div>
    </aside>
  );
}

/** The record without its common fields, for kinds that carry no frame. */
function detailFields(record: Observation): { [key: string]: import('../../bindings/serde_json/JsonValue').JsonValue } {
  const { seq: _seq, at: _at, origin: _origin, ...rest } = record;
  return JSON.parse(JSON.stringify(rest)) as { [key: string]: import('../../bindings/serde_json/JsonValue').JsonValue };
}
