/**
 * Splits a command string into arguments the way a POSIX shell would (whitespace separates, single and double
 * quotes group, backslash escapes) without running a shell. `${…}` templates are kept whole, spaces and all, so
 * they are filled in per argument afterwards: a substituted value never turns into extra arguments.
 *
 * execa's `parseCommandString` only splits on spaces (no quotes), which is not what people write in YAML.
 */
export function splitCommandLine(text: string): string[] {
  return splitCommandWords(text).map((word) => word.text);
}

/** One argument of a command string, and whether it is nothing but unquoted `${…}` templates. */
export interface CommandWord {
  text: string;
  /** Only unquoted templates: like a shell, the argument is dropped when they expand to nothing. */
  bare: boolean;
}

/** splitCommandLine, telling for each argument whether it vanishes when empty (`${FLAGS}`, not `"${FLAGS}"`). */
export function splitCommandWords(text: string): CommandWord[] {
  const args: CommandWord[] = [];
  let current = "";
  let inArg = false;
  // Whether the argument so far is only unquoted templates.
  let bare = true;
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
      if (quote) bare = false;
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
      bare = false;
    } else if (char === "\\" && index + 1 < text.length) {
      current += text.charAt(++index);
      inArg = true;
      bare = false;
    } else if (/\s/.test(char)) {
      if (inArg) args.push({ text: current, bare });
      current = "";
      inArg = false;
      bare = true;
    } else {
      current += char;
      inArg = true;
      bare = false;
    }
  }
  if (quote) throw new SyntaxError(`unclosed ${quote === '"' ? "double" : "single"} quote`);
  if (inArg) args.push({ text: current, bare });
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
