// Where JSON text goes wrong: a small recursive-descent checker that reports the offset
// of the first error (browsers' JSON.parse messages no longer carry a position).

export type JsonError = { offset: number; message: string };

class Checker {
  i = 0;
  constructor(private readonly s: string) {}

  fail(message: string): never {
    throw { offset: this.i, message } satisfies JsonError;
  }

  ws(): void {
    while (/[ \t\n\r]/.test(this.s[this.i] ?? '')) this.i++;
  }

  value(): void {
    this.ws();
    const c = this.s[this.i];
    if (c === '{') return this.object();
    if (c === '[') return this.array();
    if (c === '"') return this.string();
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.number();
    for (const word of ['true', 'false', 'null']) {
      if (this.s.startsWith(word, this.i)) {
        this.i += word.length;
        return;
      }
    }
    this.fail(c === undefined ? 'unexpected end: a value is missing' : `unexpected ${JSON.stringify(c)}: expected a value`);
  }

  object(): void {
    this.i++;
    this.ws();
    if (this.s[this.i] === '}') return void this.i++;
    for (;;) {
      this.ws();
      if (this.s[this.i] !== '"') this.fail('expected a "quoted" key');
      this.string();
      this.ws();
      if (this.s[this.i] !== ':') this.fail('expected ":" after the key');
      this.i++;
      this.value();
      this.ws();
      const c = this.s[this.i];
      this.i++;
      if (c === '}') return;
      if (c !== ',') return void (this.i--, this.fail('expected "," or "}"'));
    }
  }

  array(): void {
    this.i++;
    this.ws();
    if (this.s[this.i] === ']') return void this.i++;
    for (;;) {
      this.value();
      this.ws();
      const c = this.s[this.i];
      this.i++;
      if (c === ']') return;
      if (c !== ',') return void (this.i--, this.fail('expected "," or "]"'));
    }
  }

  string(): void {
    this.i++;
    while (this.i < this.s.length) {
      const c = this.s[this.i];
      if (c === '"') return void this.i++;
      if (c === '\\') this.i += 2;
      else if (c === '\n') this.fail('strings cannot span lines');
      else this.i++;
    }
    this.fail('this string is never closed');
  }

  number(): void {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(this.s.slice(this.i));
    if (!m) this.fail('malformed number');
    this.i += m[0].length;
  }
}

/** The first error in `text` as JSON, or null when it is valid. */
export function jsonError(text: string): JsonError | null {
  const checker = new Checker(text);
  try {
    checker.value();
    checker.ws();
    if (checker.i < text.length) checker.fail('unexpected text after the value');
    return null;
  } catch (e) {
    return e as JsonError;
  }
}

/** An offset as line and column, both from 1. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: (before.at(-1)?.length ?? 0) + 1 };
}
