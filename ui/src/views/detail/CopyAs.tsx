// "Copy as" for an HTTP API record: the same call as curl, Node, PHP or Python.
import { useState } from 'react';
import type { Observation } from '../../bindings/Observation';
import { useApp } from '../../context';
import { LANGUAGES, snippet, type Language } from '../../lib/snippets';
import { CodeBlock } from '../../components/CodeBlock';

type ApiRecord = Extract<Observation, { kind: 'api_request' }>;

export function CopyAs({ record }: { record: ApiRecord }) {
  const { info } = useApp();
  const [language, setLanguage] = useState<Language>('curl');
  const app = info?.apps.find((a) => a.id === record.app) ?? info?.apps[0];
  const target = { httpUrl: info?.http_url ?? window.location.origin, appId: record.app ?? app?.id ?? 'app-id', key: app?.key ?? 'app-key' };
  const call = { method: record.method, path: record.path, body: record.body };
  return (
    <div>
      <div className="subtabs">
        {LANGUAGES.map((l) => (
          <button key={l} className={l === language ? 'active' : ''} onClick={() => setLanguage(l)}>
            {l === 'curl' ? 'curl' : l === 'node' ? 'Node' : l === 'php' ? 'PHP' : 'Python'}
          </button>
        ))}
      </div>
      <CodeBlock title={`${record.method} ${record.path.split('?')[0] ?? ''}`} text={snippet(language, call, target)} />
      <p className="muted">Secrets are never shown here: export PUSHER_APP_SECRET before running it.</p>
    </div>
  );
}
