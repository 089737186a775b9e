// The live timeline: owns the buffer, the stream, the server-side filter and the local
// predicate (pings, one socket); applies arriving batches once per animation frame.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Observation } from '../bindings/Observation';
import type { SessionId } from '../bindings/SessionId';
import { ApiError, loadHistory } from '../lib/api';
import { isPing } from '../lib/records';
import { RecordStream, type StreamStatus } from '../lib/stream';
import { TimelineBuffer } from '../lib/timeline';

export type FilterError = { message: string; position: number; length: number };
export type Source = { type: 'live' } | { type: 'session'; id: SessionId; name: string };

const HISTORY = 20_000;

export type Timeline = ReturnType<typeof useTimeline>;

export function useTimeline() {
  const buffer = useMemo(() => new TimelineBuffer(), []);
  const [version, setVersion] = useState(0);
  const [status, setStatus] = useState<StreamStatus>('connecting');
  const [filter, setFilterState] = useState('');
  const [filterError, setFilterError] = useState<FilterError | null>(null);
  const [showPings, setShowPings] = useState(false);
  const [source, setSource] = useState<Source>({ type: 'live' });
  const [gaps, setGaps] = useState(0);
  const [loading, setLoading] = useState(false);
  const pending = useRef<Observation[]>([]);
  const frame = useRef<number | null>(null);
  const stream = useRef<RecordStream | null>(null);
  const filterRef = useRef('');
  const sourceRef = useRef<Source>(source);
  sourceRef.current = source;

  const loadingRef = useRef(false);

  const flush = useCallback(() => {
    frame.current = null;
    if (pending.current.length === 0 || loadingRef.current) return;
    const batch = pending.current;
    pending.current = [];
    buffer.append(batch);
    setVersion(buffer.version);
  }, [buffer]);

  /** Queues records; they are applied together on the next animation frame. */
  const push = useCallback(
    (records: readonly Observation[]) => {
      for (const r of records) pending.current.push(r);
      if (frame.current === null) frame.current = requestAnimationFrame(flush);
    },
    [flush],
  );

  const reload = useCallback(async () => {
    const current = sourceRef.current;
    setLoading(true);
    loadingRef.current = true;
    try {
      const records = await loadHistory({
        session: current.type === 'session' ? current.id : undefined,
        filter: filterRef.current,
        max: HISTORY,
      });
      buffer.clear();
      buffer.append(records);
      // Records that streamed in while history loaded: older ones are ignored by append.
      buffer.append(pending.current);
      pending.current = [];
      setFilterError(null);
    } catch (e) {
      if (e instanceof ApiError && e.position !== null) setFilterError({ message: e.message, position: e.position, length: e.length ?? 1 });
    } finally {
      loadingRef.current = false;
      setLoading(false);
      setVersion(buffer.version);
    }
  }, [buffer]);

  useEffect(() => {
    const s = new RecordStream({
      onMessage: (m) => {
        if (sourceRef.current.type !== 'live') return;
        switch (m.type) {
          case 'records':
            push(m.records);
            break;
          case 'gap':
            setGaps((g) => g + m.missed_batches);
            break;
          case 'error':
            setFilterError({ message: m.error, position: m.position ?? 0, length: m.length ?? 1 });
            break;
          case 'filter':
            break;
          default: {
            const never: never = m;
            return never;
          }
        }
      },
      onStatus: setStatus,
      onReconnect: () => void reload(),
    });
    stream.current = s;
    s.start(filterRef.current);
    void reload();
    return () => s.stop();
  }, [push, reload]);

  useEffect(() => {
    buffer.setPredicate(showPings ? () => true : (r) => !isPing(r));
    setVersion(buffer.version);
  }, [buffer, showPings]);

  /** Applies a filter the server has accepted: the stream follows it and history reloads. */
  const applyFilter = useCallback(
    (text: string) => {
      filterRef.current = text;
      setFilterState(text);
      stream.current?.setFilter(text);
      void reload();
    },
    [reload],
  );

  const openSource = useCallback(
    (next: Source) => {
      sourceRef.current = next;
      setSource(next);
      void reload();
    },
    [reload],
  );

  const togglePause = useCallback(() => {
    if (buffer.isPaused) buffer.resume();
    else buffer.pause();
    setVersion(buffer.version);
  }, [buffer]);

  const setPaused = useCallback(
    (paused: boolean) => {
      if (paused) buffer.pause();
      else buffer.resume();
      setVersion(buffer.version);
    },
    [buffer],
  );

  /** For the ?bench=1 hook and tests: records injected as if they had streamed in. */
  const inject = useCallback((records: readonly Observation[]) => push(records), [push]);

  return {
    buffer,
    version,
    status,
    filter,
    filterError,
    setFilterError,
    applyFilter,
    showPings,
    setShowPings,
    source,
    openSource,
    gaps,
    loading,
    togglePause,
    setPaused,
    inject,
  };
}
