// JSON values written as source literals of other languages (PHP arrays, Python dicts,
// shell single-quoted strings), for the generated snippets.
import type { JsonValue } from '../bindings/serde_json/JsonValue';

export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

export function phpString(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

export function pyString(text: string): string {
  return JSON.stringify(text);
}

function indent(level: number): string {
  return '    '.repeat(level);
}

export function phpLiteral(value: JsonValue, level = 0): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return phpString(value);
  const inner = indent(level + 1);
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[\n${value.map((v) => `${inner}${phpLiteral(v, level + 1)},`).join('\n')}\n${indent(level)}]`;
  }
  const entries = Object.entries(value);
  if (entries.length === 0) return '[]';
  return `[\n${entries.map(([k, v]) => `${inner}${phpString(k)} => ${phpLiteral(v, level + 1)},`).join('\n')}\n${indent(level)}]`;
}

export function pyLiteral(value: JsonValue, level = 0): string {
  if (value === null) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return pyString(value);
  const inner = indent(level + 1);
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[\n${value.map((v) => `${inner}${pyLiteral(v, level + 1)},`).join('\n')}\n${indent(level)}]`;
  }
  const entries = Object.entries(value);
  if (entries.length === 0) return '{}';
  return `{\n${entries.map(([k, v]) => `${inner}${pyString(k)}: ${pyLiteral(v, level + 1)},`).join('\n')}\n${indent(level)}}`;
}

export function jsLiteral(value: JsonValue, level = 0): string {
  const text = JSON.stringify(value, null, 2);
  return level === 0 ? text : text.replace(/\n/g, `\n${'  '.repeat(level)}`);
}
