// A short, bounded timeline of the records matching one filter (a connection's own),
// refreshed every two seconds; each row opens the record in the main timeline.
import { useApp } from '../context';
import { usePoll } from '../hooks/useAsync';
import { api } from '../lib/api';
import { clock, kindInfo } from '../lib/format';
import { channelOf, eventOf } from '../lib/payload';
import { isPing } from '../lib/records';

export function MiniTimeline({ filter }: { filter: string }) {
  const { showRecord } = useApp();
  const page = usePoll(() => api.records({ filter, limit: 200 }), 2000, [filter]);
  const records = (page.data?.records ?? []).filter((r) => !isPing(r)).reverse();
  if (page.error) return <p className="muted">Cannot load: {page.error}</p>;
  if (records.length === 0) return <p className="muted">No records for it yet.</p>;
  return (
    <ul className="mini-timeline">
      {records.map((r) => (
        <li key={r.seq}>
          <button className="link" onClick={() => showRecord(r.seq)}>
            <span className="muted">{clock(r.at)}</span> <span className={`badge tone-${kindInfo(r.kind).tone}`}>{kindInfo(r.kind).label}</span> {eventOf(r) ?? ''}{' '}
            <span className="muted">{channelOf(r) ?? ''}</span>
          </button>
        </li>
      ))}
    </ul>
  );
}
