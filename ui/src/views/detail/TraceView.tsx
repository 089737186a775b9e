// A record's trace: what caused it, and what it caused — for a trigger, each delivery
// with the sockets reached and skipped (and why), and the webhooks it led to. Every
// record and socket is a link.
import { useEffect, useState } from 'react';
import type { Observation } from '../../bindings/Observation';
import type { Target } from '../../bindings/Target';
import type { SkipReason } from '../../bindings/SkipReason';
import { useApp } from '../../context';
import type { Trace } from '../../bindings/Trace';
import { api } from '../../lib/api';
import { termFor } from '../../lib/filterText';
import { clock, kindInfo } from '../../lib/format';
import { eventOf, channelOf } from '../../lib/payload';
import { unreachable } from '../../lib/records';

function reasonText(reason: SkipReason | null | undefined): string {
  if (!reason) return 'skipped';
  switch (reason) {
    case 'not_subscribed':
      return 'not subscribed to the channel';
    case 'excluded_by_socket_id':
      return 'excluded by the trigger’s socket_id';
    case 'sender':
      return 'the sender (client events never echo back)';
    case 'outbox_full':
      return 'outbox full: the socket was closed with 4100';
    default:
      return unreachable(reason);
  }
}

function RecordLink({ record }: { record: Observation }) {
  const { showRecord } = useApp();
  return (
    <button className="link trace-rec" onClick={() => showRecord(record.seq)}>
      #{record.seq} {kindInfo(record.kind).label} {eventOf(record) ?? ''} {channelOf(record) ? `on ${channelOf(record)}` : ''}{' '}
      <span className="muted">{clock(record.at)}</span>
    </button>
  );
}

function Sockets({ title, targets, more }: { title: string; targets: Target[]; more?: number }) {
  const { timeline } = useApp();
  if (targets.length === 0 && !more) return null;
  return (
    <div className="sockets">
      <h4>
        {title} ({targets.length + (more ?? 0)})
      </h4>
      <ul>
        {targets.map((t) => (
          <li key={`${t.conn}-${t.reason ?? ''}`}>
            {t.socket ? (
              <button className="link" onClick={() => timeline.applyFilter(`socket:${t.socket}`)} title="Show this socket's records">
                {t.socket}
              </button>
            ) : (
              <span>conn {t.conn}</span>
            )}
            {t.reason !== undefined && t.reason !== null && <span className="muted"> — {reasonText(t.reason)}</span>}
          </li>
        ))}
        {more ? <li className="muted">and {more} more not subscribed</li> : null}
      </ul>
    </div>
  );
}

/** Why a delivery reached no socket, in words. */
function nobody(skipped: Target[], channel: string): string {
  if (skipped.some((t) => t.reason === 'sender') && skipped.every((t) => t.reason === 'sender' || t.reason === 'not_subscribed')) {
    return `No socket received it: the sender was the only subscriber of ${channel}, and client events never echo back.`;
  }
  if (skipped.some((t) => t.reason === 'excluded_by_socket_id')) return `No socket received it: the only subscriber of ${channel} was excluded by socket_id.`;
  return `No socket received it: nobody was subscribed to ${channel}.`;
}

function Delivery({ record }: { record: Observation }) {
  if (record.kind !== 'delivery') return <RecordLink record={record} />;
  return (
    <div className="delivery">
      <RecordLink record={record} />
      <Sockets title="Reached" targets={record.reached} />
      <Sockets title="Skipped" targets={record.skipped} more={record.not_subscribed_more} />
      {record.reached.length === 0 && <p className="warn">{nobody(record.skipped, channelOf(record) ?? 'the channel')}</p>}
    </div>
  );
}

/**
 * A webhook attempt names the record that raised the first event of its batch (it shows among
 * that record's effects). For the other records whose events rode in the same batch, the trace
 * lists the webhook attempts for their channel in the few seconds after them.
 */
function useChannelWebhooks(record: Observation, linked: number): Observation[] {
  const [found, setFound] = useState<Observation[]>([]);
  const channel = channelOf(record);
  useEffect(() => {
    if (linked > 0 || !channel || record.kind === 'webhook_attempt') return;
    const filter = `kind:webhook_attempt ${termFor('channel', channel)}`;
    api.records({ filter, after: record.seq, limit: 20 }).then(
      (page) => setFound(page.records.filter((r) => r.at - record.at <= 10_000)),
      () => setFound([]),
    );
  }, [record, channel, linked]);
  return found;
}

function WebhookLink({ record }: { record: Observation }) {
  const { showRecord } = useApp();
  if (record.kind !== 'webhook_attempt') return <RecordLink record={record} />;
  const outcome = record.error ?? (record.status === null ? 'no answer' : `HTTP ${record.status}`);
  return (
    <button className="link trace-rec" onClick={() => showRecord(record.seq)}>
      #{record.seq} webhook {record.events.join(', ')} → {record.url} <span className="muted">{outcome}, attempt {record.attempt}</span>
    </button>
  );
}

export function TraceView({ record, trace, error }: { record: Observation; trace: Trace | null; error: string | null }) {
  if (error) return <p className="muted">Cannot load the trace: {error}</p>;
  if (!trace) return <p className="muted">Loading…</p>;
  const deliveries = trace.effects.filter((e) => e.kind === 'delivery');
  const webhooks = trace.effects.filter((e) => e.kind === 'webhook_attempt' || e.kind === 'webhook_dropped');
  const others = trace.effects.filter((e) => !['delivery', 'webhook_attempt', 'webhook_dropped'].includes(e.kind));
  return <TraceBody record={record} trace={trace} deliveries={deliveries} webhooks={webhooks} others={others} />;
}

type BodyProps = { record: Observation; trace: Trace; deliveries: Observation[]; webhooks: Observation[]; others: Observation[] };

function TraceBody({ record, trace, deliveries, webhooks, others }: BodyProps) {
  const nearby = useChannelWebhooks(record, webhooks.length);
  return (
    <div className="trace">
      {trace.cause && (
        <section>
          <h4>Caused by</h4>
          <RecordLink record={trace.cause} />
        </section>
      )}
      {record.kind === 'delivery' && <Delivery record={record} />}
      {deliveries.length > 0 && (
        <section>
          <h4>Deliveries ({deliveries.length})</h4>
          {deliveries.map((d) => (
            <Delivery key={d.seq} record={d} />
          ))}
        </section>
      )}
      {webhooks.length > 0 && (
        <section>
          <h4>Webhooks ({webhooks.length})</h4>
          {webhooks.map((w) => (
            <WebhookLink key={w.seq} record={w} />
          ))}
        </section>
      )}
      {nearby.length > 0 && (
        <section>
          <h4>Webhooks for {channelOf(record)} right after ({nearby.length})</h4>
          {nearby.map((w) => (
            <WebhookLink key={w.seq} record={w} />
          ))}
        </section>
      )}
      {others.length > 0 && (
        <section>
          <h4>Led to</h4>
          {others.map((o) => (
            <RecordLink key={o.seq} record={o} />
          ))}
        </section>
      )}
      {!trace.cause && trace.effects.length === 0 && nearby.length === 0 && record.kind !== 'delivery' && <p className="muted">Nothing caused this record and it caused nothing further.</p>}
    </div>
  );
}
