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

const WS = new Set([' ', '\t', '\n', '\r']);

export function locateJsonError(text: string): JsonErrorLocation | undefined {
  let pos = 0;
  // stack of open containers: '{' or '['
  const stack: string[] = [];

  const fail = (reason: string, at = pos): JsonErrorLocation => {
    let line = 1;
    let lineStart = 0;
    for (let i = 0; i < at && i < text.length; i++) {
      if (text[i] === '\n') {
        line++;
        lineStart = i + 1;
      }
    }
    return { position: at, line, column: at - lineStart + 1, reason };
  };
  const skipWs = (): void => {
    while (pos < text.length && WS.has(text[pos] as string)) pos++;
  };
  const describe = (): string =>
    pos >= text.length ? 'unexpected end of input' : `unexpected character ${JSON.stringify(text[pos])}`;

  /** scans a string starting at the opening quote; returns an error or undefined */
  const scanString = (): JsonErrorLocation | undefined => {
    pos++;
    while (pos < text.length) {
      const c = text[pos] as string;
      if (c === '"') {
        pos++;
        return undefined;
      }
      if (c === '\\') {
        const e = text[pos + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(pos + 2, pos + 6))) return fail('bad \\u escape in string');
          pos += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) {
          pos += 2;
        } else {
          return fail('bad escape in string');
        }
      } else if (c < ' ') {
        return fail('control character in string');
      } else {
        pos++;
      }
    }
    return fail('unterminated string');
  };

  /** what the scanner expects next */
  type State = 'value' | 'first-value' | 'key' | 'first-key' | 'after-value';
  let state: State = 'value';
  for (;;) {
    skipWs();
    if (state === 'value' || state === 'first-value') {
      const c = text[pos];
      if (state === 'first-value' && c === ']') {
        stack.pop();
        pos++;
        state = 'after-value';
      } else if (c === '"') {
        const err = scanString();
        if (err) return err;
        state = 'after-value';
      } else if (c === '{') {
        stack.push(c);
        pos++;
        state = 'first-key';
      } else if (c === '[') {
        stack.push(c);
        pos++;
        state = 'first-value';
      } else {
        const lit = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(
          text.slice(pos, pos + 400),
        );
        if (!lit) return fail(`${describe()}, expected a value`);
        pos += lit[0].length;
        state = 'after-value';
      }
    } else if (state === 'key' || state === 'first-key') {
      if (state === 'first-key' && text[pos] === '}') {
        stack.pop();
        pos++;
        state = 'after-value';
        continue;
      }
      if (text[pos] !== '"') return fail(`${describe()}, expected a property name in double quotes`);
      const err = scanString();
      if (err) return err;
      skipWs();
      if (text[pos] !== ':') return fail(`${describe()}, expected ':'`);
      pos++;
      state = 'value';
    } else {
      const top = stack[stack.length - 1];
      if (top === undefined) {
        return pos < text.length ? fail(`${describe()} after the end of the document`) : undefined;
      }
      const close = top === '{' ? '}' : ']';
      if (text[pos] === close) {
        stack.pop();
        pos++;
      } else if (text[pos] === ',') {
        pos++;
        state = top === '{' ? 'key' : 'value';
      } else {
        return fail(`${describe()}, expected ',' or '${close}'`);
      }
    }
  }
}
