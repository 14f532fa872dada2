/**
 * Repeated property names in a JSON text. JSON.parse silently keeps the last of them, so a bid
 * with `"price":"20","price":"99"` would trade at 99 while a reader of the text sees 20: round
 * files (workbench) and request bodies (REST API) refuse such texts, naming where the repeat is.
 */

/** The 1-based line and column of a 0-based offset. */
export function lineColumn(text: string, at: number): { line: number; column: number } {
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
