// Stats: events per second and connections over the last five minutes, per app.
import { useState } from 'react';
import { usePoll } from '../hooks/useAsync';
import { api } from '../lib/api';
import { sum } from '../lib/charts';
import { AreaChart } from '../components/AreaChart';
import { Empty } from '../components/Empty';

const SECONDS = 300;

export function StatsView() {
  const stats = usePoll(() => api.stats(SECONDS), 1000);
  const [app, setApp] = useState('');
  const apps = Object.keys(stats.data?.apps ?? {});
  if (stats.error && !stats.data) return <Empty title="Cannot load stats">{stats.error}</Empty>;
  if (!stats.data) return <Empty title="Loading stats…" />;
  if (apps.length === 0) {
    return (
      <Empty title="No stats yet">
        <p>Charts appear once an app has connections or events. Connect a client, or publish from the Composer.</p>
      </Empty>
    );
  }
  const picked = app && stats.data.apps[app] ? [stats.data.apps[app]] : Object.values(stats.data.apps);
  const events = sum(picked.map((s) => s.events));
  const connections = sum(picked.map((s) => s.connections));
  return (
    <div className="pane">
      <div className="pane-title">
        <h2>Stats</h2>
        <span className="spacer" />
        <select value={app} onChange={(e) => setApp(e.target.value)} aria-label="App">
          <option value="">All apps</option>
          {apps.map((a) => <option key={a} value={a}>{a}</option>)}
        </select>
      </div>
      <AreaChart title="Events per second" series={events} unit="events/s" seconds={SECONDS} />
      <AreaChart title="Connections" series={connections} unit="connections" seconds={SECONDS} />
      {events.every((v) => v === 0) && <p className="muted">No events in the last five minutes: publish one from the Composer to see the chart move.</p>}
    </div>
  );
}
