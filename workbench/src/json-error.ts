/**
 * Finds where a JSON text stops being valid, as line and column. JSON.parse's messages in Node 20
 * do not always carry a position, so after a failed parse we re-scan the text with this small
 * iterative (stack-safe) validator. It is only run on failure, so speed is secondary.
 */
interface JsonErrorLocation {
  /** 0-based character offset */
  position: number;
  /** 1-based */
  line: number;
  /** 1-based */
  column: number;
  reason: string;
}

/** The 1-based line and column of a 0-based offset. */
function lineColumn(text: string, at: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < at && i < text.length; i++) {
    if (text[i] === '\n') {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: at - lineStart + 1 };
}

const WS = new Set([' ', '\t', '\n', '\r']);
const LITERAL = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/;

/** What the scanner expects next. */
type State = 'value' | 'first-value' | 'key' | 'first-key' | 'after-value';

/**
 * One step of the scan: the next state, an error, or undefined when the document ended validly.
 * (A location is an object, a state a string, so the two cannot be confused.)
 */
type Step = State | JsonErrorLocation | undefined;

/** The scan's position and its stack of open containers ('{' or '['). */
class Scanner {
  private pos = 0;
  private readonly stack: string[] = [];

  constructor(private readonly text: string) {}

  private fail(reason: string, at = this.pos): JsonErrorLocation {
    return { position: at, ...lineColumn(this.text, at), reason };
  }

  private skipWs(): void {
    while (this.pos < this.text.length && WS.has(this.text[this.pos] as string)) this.pos++;
  }

  private describe(): string {
    return this.pos >= this.text.length
      ? 'unexpected end of input'
      : `unexpected character ${JSON.stringify(this.text[this.pos])}`;
  }

  private open(c: '{' | '['): State {
    this.stack.push(c);
    this.pos++;
    return c === '{' ? 'first-key' : 'first-value';
  }

  private close(): State {
    this.stack.pop();
    this.pos++;
    return 'after-value';
  }

  /** Scans the escape at pos (a backslash); returns an error or undefined. */
  private scanEscape(): JsonErrorLocation | undefined {
    const e = this.text[this.pos + 1];
    if (e === 'u') {
      if (!/^[0-9a-fA-F]{4}$/.test(this.text.slice(this.pos + 2, this.pos + 6))) {
        return this.fail('bad \\u escape in string');
      }
      this.pos += 6;
      return undefined;
    }
    if (e === undefined || !'"\\/bfnrt'.includes(e)) return this.fail('bad escape in string');
    this.pos += 2;
    return undefined;
  }

  /** Scans a string starting at the opening quote; returns an error or undefined. */
  private scanString(): JsonErrorLocation | undefined {
    this.pos++;
    while (this.pos < this.text.length) {
      const c = this.text[this.pos] as string;
      if (c === '"') {
        this.pos++;
        return undefined;
      }
      if (c === '\\') {
        const err = this.scanEscape();
        if (err) return err;
      } else if (c < ' ') {
        return this.fail('control character in string');
      } else {
        this.pos++;
      }
    }
    return this.fail('unterminated string');
  }

  /** A value (or, right after '[', the closing ']'). */
  private value(first: boolean): Step {
    const c = this.text[this.pos];
    if (first && c === ']') return this.close();
    if (c === '{' || c === '[') return this.open(c);
    if (c === '"') return this.scanString() ?? 'after-value';
    const lit = LITERAL.exec(this.text.slice(this.pos, this.pos + 400));
    if (!lit) return this.fail(`${this.describe()}, expected a value`);
    this.pos += lit[0].length;
    return 'after-value';
  }

  /** A property name and its ':' (or, right after '{', the closing '}'). */
  private key(first: boolean): Step {
    if (first && this.text[this.pos] === '}') return this.close();
    if (this.text[this.pos] !== '"') {
      return this.fail(`${this.describe()}, expected a property name in double quotes`);
    }
    const err = this.scanString();
    if (err) return err;
    this.skipWs();
    if (this.text[this.pos] !== ':') return this.fail(`${this.describe()}, expected ':'`);
    this.pos++;
    return 'value';
  }

  /** After a value: ',' or the end of the open container, or the end of the document. */
  private afterValue(): Step {
    const top = this.stack[this.stack.length - 1];
    if (top === undefined) {
      return this.pos < this.text.length
        ? this.fail(`${this.describe()} after the end of the document`)
        : undefined;
    }
    const close = top === '{' ? '}' : ']';
    if (this.text[this.pos] === close) {
      this.stack.pop();
      this.pos++;
      return 'after-value';
    }
    if (this.text[this.pos] !== ',') return this.fail(`${this.describe()}, expected ',' or '${close}'`);
    this.pos++;
    return top === '{' ? 'key' : 'value';
  }

  step(state: State): Step {
    this.skipWs();
    switch (state) {
      case 'value':
      case 'first-value':
        return this.value(state === 'first-value');
      case 'key':
      case 'first-key':
        return this.key(state === 'first-key');
      case 'after-value':
        return this.afterValue();
    }
  }
}

export function locateJsonError(text: string): JsonErrorLocation | undefined {
  const scanner = new Scanner(text);
  let step: Step = 'value';
  while (typeof step === 'string') step = scanner.step(step);
  return step;
}

/** A property name repeated in one object: JSON.parse keeps the last, a round file must not have it. */
export interface DuplicateKey {
  /** the property name (unescaped) */
  key: string;
  /** where the repeated object is, from the document's root: keys and array indices */
  path: (string | number)[];
  /** 0-based offset of the second occurrence's opening quote */
  position: number;
  /** 1-based */
  line: number;
  /** 1-based */
  column: number;
}

/** An open container of the scan: an object's names so far, or an array's element index. */
type Frame = { names: string[]; name: string | undefined; expectName: boolean } | { index: number };

/** The offset of the closing quote of the string whose opening quote is at `start`. */
function stringEnd(text: string, start: number): number {
  let end = text.indexOf('"', start + 1);
  for (;;) {
    let slashes = 0;
    while (text.charCodeAt(end - 1 - slashes) === 0x5c) slashes++;
    if (slashes % 2 === 0) return end;
    end = text.indexOf('"', end + 1);
  }
}

/** The path to the object of the innermost frame. */
function pathOf(stack: readonly Frame[]): (string | number)[] {
  const path: (string | number)[] = [];
  for (const f of stack.slice(0, -1)) path.push('index' in f ? f.index : (f.name ?? ''));
  return path;
}

/** The scan of findDuplicateKey: one pass, strings skipped with indexOf. */
class NameScanner {
  private readonly stack: Frame[] = [];

  constructor(private readonly text: string) {}

  /** A string at i: a property name when its object expects one. Returns the string's end. */
  private string(i: number): number | DuplicateKey {
    const end = stringEnd(this.text, i);
    const top = this.stack[this.stack.length - 1];
    if (top === undefined || 'index' in top || !top.expectName) return end;
    const raw = this.text.slice(i, end + 1);
    const name = raw.includes('\\') ? (JSON.parse(raw) as string) : raw.slice(1, -1);
    if (top.names.includes(name)) {
      return { key: name, path: pathOf(this.stack), position: i, ...lineColumn(this.text, i) };
    }
    top.names.push(name);
    top.name = name;
    top.expectName = false;
    return end;
  }

  /** A ',' : the next name of an object, the next element of an array. */
  private comma(): void {
    const top = this.stack[this.stack.length - 1];
    if (top === undefined) return;
    if ('index' in top) top.index++;
    else top.expectName = true;
  }

  /** Handles the character at i; returns where to go on, or the duplicate. */
  private at(i: number): number | DuplicateKey {
    switch (this.text.charCodeAt(i)) {
      case 0x22: // "
        return this.string(i);
      case 0x7b: // {
        this.stack.push({ names: [], name: undefined, expectName: true });
        break;
      case 0x5b: // [
        this.stack.push({ index: 0 });
        break;
      case 0x7d: // }
      case 0x5d: // ]
        this.stack.pop();
        break;
      case 0x2c: // ,
        this.comma();
        break;
    }
    return i;
  }

  run(): DuplicateKey | undefined {
    for (let i = 0; i < this.text.length; i++) {
      const next = this.at(i);
      if (typeof next !== 'number') return next;
      i = next;
    }
    return undefined;
  }
}

/**
 * The first property name that appears twice in one object of a valid JSON text (one that
 * JSON.parse accepted), or undefined. Names are compared unescaped ("pr\u0069ce" is "price").
 */
export function findDuplicateKey(text: string): DuplicateKey | undefined {
  return new NameScanner(text).run();
}
