/**
 * Splits a command string into arguments the way a POSIX shell would (whitespace separates, single and double
 * quotes group, backslash escapes) without running a shell. `${…}` templates are kept whole, spaces and all, so
 * they are filled in per argument afterwards: a substituted value never turns into extra arguments.
 *
 * execa's `parseCommandString` only splits on spaces (no quotes), which is not what people write in YAML.
 */
export function splitCommandLine(text: string): string[] {
  const args: string[] = [];
  let current = "";
  let inArg = false;
  let quote: "'" | '"' | undefined;
  for (let index = 0; index < text.length; index++) {
    const char = text.charAt(index);
    if (quote === "'") {
      if (char === "'") quote = undefined;
      else current += char;
      continue;
    }
    if (char === "$" && text.charAt(index + 1) === "{") {
      const end = closingBrace(text, index + 1);
      if (end < 0) throw new SyntaxError(`unclosed "\${" at character ${index + 1}`);
      current += text.slice(index, end + 1);
      inArg = true;
      index = end;
      continue;
    }
    if (quote === '"') {
      if (char === '"') quote = undefined;
      else if (char === "\\" && /["\\$`]/.test(text.charAt(index + 1))) current += text.charAt(++index);
      else current += char;
      continue;
    }
    if (char === "'" || char === '"') {
      quote = char;
      inArg = true;
    } else if (char === "\\" && index + 1 < text.length) {
      current += text.charAt(++index);
      inArg = true;
    } else if (/\s/.test(char)) {
      if (inArg) args.push(current);
      current = "";
      inArg = false;
    } else {
      current += char;
      inArg = true;
    }
  }
  if (quote) throw new SyntaxError(`unclosed ${quote === '"' ? "double" : "single"} quote`);
  if (inArg) args.push(current);
  return args;
}

/** Index of the `}` that closes the `{` at `open`, counting nested `${…}`; -1 when there is none. */
export function closingBrace(text: string, open: number): number {
  let depth = 0;
  for (let index = open; index < text.length; index++) {
    const char = text.charAt(index);
    if (char === "{") depth++;
    else if (char === "}" && --depth === 0) return index;
  }
  return -1;
}
