// A block of text to copy: monospace, with a Copy button that says when it worked.
import { useState } from 'react';
import { copyText } from '../lib/platform';

export function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }) {
  const [done, setDone] = useState(false);
  return (
    <button
      className="small"
      onClick={() =>
        void copyText(text).then((ok) => {
          setDone(ok);
          setTimeout(() => setDone(false), 1500);
        })
      }
    >
      {done ? 'Copied' : label}
    </button>
  );
}

export function CodeBlock({ text, title }: { text: string; title?: string }) {
  return (
    <div className="code-block">
      <div className="code-head">
        <span>{title}</span>
        <CopyButton text={text} />
      </div>
      <pre>{text}</pre>
    </div>
  );
}
