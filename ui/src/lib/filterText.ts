// Client-side helpers for the filter language (the server parses and validates it):
// tokens for highlighting, the word under the caret for autocomplete, applying a
// completion, "filter by this value" terms, and the server's character offsets → UTF-16.

export type TokenType = 'space' | 'paren' | 'keyword' | 'negate' | 'field' | 'op' | 'value' | 'phrase' | 'word';
export type Token = { type: TokenType; text: string; start: number };

/** Field names the language knows (kept in step with `GET /inspector/api/filter`'s `fields`). */
export const FIELD_NAMES = ['kind', 'event', 'channel', 'socket', 'user', 'app', 'origin', 'dir', 'status', 'has', 'data'];
const KEYWORDS = new Set(['and', 'or', 'not']);
const FIELD_RE = /^([A-Za-z_][A-Za-z0-9_]*(?:[.[][^\s:=!<>()]*)?)(:|\s*(?:==|!=|>=|<=|>|<)\s*)/;

function readQuoted(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length) {
    const c = text[i];
    if (c === '\\') i += 2;
    else if (c === '"') return i + 1;
    else i++;
  }
  return text.length;
}

function readBare(text: string, start: number): number {
  let i = start;
  while (i < text.length && !/[\s()"]/.test(text[i] ?? ' ')) i++;
  return i;
}

/** Splits a filter into tokens covering every character (for syntax colouring). */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const push = (type: TokenType, end: number) => {
    tokens.push({ type, text: text.slice(i, end), start: i });
    i = end;
  };
  while (i < text.length) {
    const c = text[i] ?? '';
    const rest = text.slice(i);
    if (/\s/.test(c)) push('space', i + (/^\s+/.exec(rest)?.[0].length ?? 1));
    else if (c === '(' || c === ')') push('paren', i + 1);
    else if (c === '"') push('phrase', readQuoted(text, i));
    else if (c === '-' && i + 1 < text.length && !/\s/.test(text[i + 1] ?? ' ')) push('negate', i + 1);
    else {
      const field = FIELD_RE.exec(rest);
      if (field?.[1] && field[2]) {
        push('field', i + field[1].length);
        const op = field[2];
        const lead = op.length - op.trimStart().length;
        if (lead > 0) push('space', i + lead);
        push('op', i + op.trim().length);
        const trail = op.length - lead - op.trim().length;
        if (trail > 0) push('space', i + trail);
        const value = text[i] === '"' ? readQuoted(text, i) : readBare(text, i);
        if (value > i) push('value', value);
        continue;
      }
      const end = readBare(text, i);
      const word = text.slice(i, end);
      push(KEYWORDS.has(word.toLowerCase()) ? 'keyword' : 'word', Math.max(end, i + 1));
    }
  }
  return tokens;
}

/** What the caret is in: a field name being typed, or the value of a named field. */
export type Completing =
  | { type: 'field'; prefix: string; from: number; to: number }
  | { type: 'value'; field: string; op: string; prefix: string; from: number; to: number };

/** The word around the caret and what could complete it. */
export function completionContext(text: string, caret: number): Completing | null {
  let from = caret;
  while (from > 0 && !/[\s()]/.test(text[from - 1] ?? ' ')) from--;
  let to = caret;
  while (to < text.length && !/[\s()]/.test(text[to] ?? ' ')) to++;
  let word = text.slice(from, caret);
  if (word.startsWith('-')) {
    word = word.slice(1);
    from += 1;
  }
  const field = /^([A-Za-z_]+)(:|==|!=)(.*)$/.exec(word);
  if (field?.[1] && field[2] !== undefined && field[3] !== undefined) {
    const prefix = field[3].replace(/^"/, '');
    return { type: 'value', field: field[1].toLowerCase(), op: field[2], prefix, from: from + field[1].length + field[2].length, to };
  }
  if (/^[A-Za-z_]*$/.test(word)) return { type: 'field', prefix: word.toLowerCase(), from, to };
  return null;
}

/** Suggestions for a context: names starting with the prefix first, then containing it. */
export function suggest(prefix: string, candidates: readonly string[], limit = 12): string[] {
  const p = prefix.toLowerCase();
  const starts: string[] = [];
  const contains: string[] = [];
  for (const c of candidates) {
    const lower = c.toLowerCase();
    if (lower === p) continue;
    if (lower.startsWith(p)) starts.push(c);
    else if (p.length > 0 && lower.includes(p)) contains.push(c);
  }
  return [...starts, ...contains].slice(0, limit);
}

/** A value as the filter language reads it: bare when safe, else quoted. */
export function quoteValue(value: string): string {
  if (/^[A-Za-z0-9_.@#,;=+/-]+$/.test(value) && !KEYWORDS.has(value.toLowerCase())) return value;
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** Replaces the context's range with `completion`; returns the new text and caret. */
export function applyCompletion(text: string, ctx: Completing, completion: string): { text: string; caret: number } {
  const insert = ctx.type === 'field' ? `${completion}${completion === 'has' ? ':data.' : completion === 'data' ? '.' : ':'}` : `${quoteValue(completion)} `;
  const next = text.slice(0, ctx.from) + insert + text.slice(ctx.to);
  return { text: next, caret: ctx.from + insert.length };
}

/** The term that matches exactly this value of `field` (for "filter by this value"). */
export function termFor(field: string, value: string | number): string {
  const text = String(value);
  if (/^[A-Za-z0-9_.@#,;=+/-]+$/.test(text)) return `${field}:${text}`;
  return `${field} == ${quoteValue(text)}`;
}

/** Adds a term to a filter (as an `and`), unless the filter already has it. */
export function addTerm(filter: string, term: string): string {
  const trimmed = filter.trim();
  if (trimmed === '') return term;
  if (trimmed.split(/\s+/).includes(term)) return trimmed;
  return /\sor\s/i.test(trimmed) ? `(${trimmed}) ${term}` : `${trimmed} ${term}`;
}

/** Converts the server's character offsets (Unicode scalar values) to UTF-16 offsets. */
export function charsToUtf16(text: string, position: number, length: number): { start: number; end: number } {
  const chars = Array.from(text);
  const start = chars.slice(0, position).join('').length;
  const end = start + chars.slice(position, position + Math.max(1, length)).join('').length;
  return { start: Math.min(start, text.length), end: Math.max(Math.min(end, text.length), Math.min(start, text.length)) };
}
