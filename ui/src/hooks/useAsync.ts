// Small data hooks: load once / poll an API call, keeping the last good value and error.
import { useCallback, useEffect, useRef, useState } from 'react';

export type Loaded<T> = { data: T | null; error: string | null; reload: () => void };

/** Calls `load` now and every `intervalMs` (0: once); reload() forces a call. */
export function usePoll<T>(load: () => Promise<T>, intervalMs: number, deps: readonly unknown[] = []): Loaded<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const loadRef = useRef(load);
  loadRef.current = load;
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  useEffect(() => {
    let alive = true;
    const run = () =>
      loadRef.current().then(
        (value) => {
          if (!alive) return;
          setData(value);
          setError(null);
        },
        (e: unknown) => alive && setError(e instanceof Error ? e.message : String(e)),
      );
    void run();
    const timer = intervalMs > 0 ? setInterval(() => void run(), intervalMs) : null;
    return () => {
      alive = false;
      if (timer) clearInterval(timer);
    };
  }, [intervalMs, tick, ...deps]);
  return { data, error, reload };
}
