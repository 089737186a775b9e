// The ?bench=1 hook: exposes window.__switchboardBench so the benchmark script can load
// synthetic records into the timeline and time first paint, filtering and frame rate.
import type { Timeline } from './hooks/useTimeline';
import { synthetic } from './lib/fixtures';

export type BenchApi = {
  /** Loads `n` synthetic records; resolves with ms until they are painted. */
  load: (n: number) => Promise<number>;
  /** Injects `perSecond` synthetic records/s for `ms`; resolves with the frames-per-second seen. */
  stream: (perSecond: number, ms: number) => Promise<{ fps: number; worstFrameMs: number; rows: number }>;
  /** Measures frames per second for `ms` while whatever is happening happens. */
  fps: (ms: number) => Promise<{ fps: number; worstFrameMs: number }>;
  rows: () => number;
  /** Records appended since the page loaded (held plus evicted). */
  seen: () => number;
};

declare global {
  interface Window {
    __switchboardBench?: BenchApi;
  }
}

const nextPaint = () => new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r())));

function measureFps(ms: number): Promise<{ fps: number; worstFrameMs: number }> {
  return new Promise((resolve) => {
    const start = performance.now();
    let last = start;
    let frames = 0;
    let worst = 0;
    const tick = (now: number) => {
      frames++;
      worst = Math.max(worst, now - last);
      last = now;
      if (now - start < ms) requestAnimationFrame(tick);
      else resolve({ fps: (frames * 1000) / (now - start), worstFrameMs: worst });
    };
    requestAnimationFrame(tick);
  });
}

export function installBench(timeline: Timeline): () => void {
  if (!new URLSearchParams(window.location.search).has('bench')) return () => undefined;
  // Negative seqs: synthetic records sort before every real one, so live records still append.
  let seq = -1_000_000_000;
  window.__switchboardBench = {
    load: async (n) => {
      const t0 = performance.now();
      timeline.inject(synthetic(n, seq));
      seq += n;
      await nextPaint();
      return performance.now() - t0;
    },
    stream: async (perSecond, ms) => {
      const perTick = Math.max(1, Math.round(perSecond / 20));
      const timer = setInterval(() => {
        timeline.inject(synthetic(perTick, seq));
        seq += perTick;
      }, 50);
      const result = await measureFps(ms);
      clearInterval(timer);
      return { ...result, rows: timeline.buffer.length };
    },
    fps: measureFps,
    rows: () => timeline.buffer.length,
    seen: () => timeline.buffer.total + timeline.buffer.evicted,
  };
  return () => {
    delete window.__switchboardBench;
  };
}
