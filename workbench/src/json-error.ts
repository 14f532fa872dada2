/**
 * Finds where a JSON text stops being valid, as line and column. JSON.parse's messages in Node 20
 * do not always carry a position, so after a failed parse we re-scan the text with this small
 * iterative (stack-safe) validator. It is only run on failure, so speed is secondary.
 */
import { lineColumn } from '../../engine/src/json/duplicate-key';

interface JsonErrorLocation {
  /** 0-based character offset */
  position: number;
  /** 1-based */
  line: number;
  /** 1-based */
  column: number;
  reason: string;
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
