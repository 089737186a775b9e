// The "why" card for refusals: a plain explanation and the fix, plus, for a refused
// subscription, the string that was signed and the expected vs supplied signature.
import type { Observation } from '../../bindings/Observation';
import { useApp } from '../../context';
import { explain } from '../../lib/explain';
import { CopyButton } from '../../components/CodeBlock';

export function Explain({ record }: { record: Observation }) {
  const { info } = useApp();
  const e = explain(record, info?.apps.map((a) => a.key) ?? []);
  if (!e) return null;
  return (
    <div className="explain" role="note">
      <strong>{e.title}</strong>
      <p>{e.body}</p>
      {record.kind === 'subscription_refused' && record.string_to_sign !== null && (
        <dl className="sig">
          <dt>string to sign</dt>
          <dd>
            <code>{record.string_to_sign}</code> <CopyButton text={record.string_to_sign} />
          </dd>
          <dt>expected</dt>
          <dd>
            <code className="ok">{record.expected ?? '—'}</code>
          </dd>
          <dt>supplied</dt>
          <dd>
            <code className="bad">{record.supplied ?? '(nothing)'}</code>
          </dd>
        </dl>
      )}
      <p className="fix">Fix: {e.fix}</p>
    </div>
  );
}
