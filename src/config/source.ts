import { Composer, YAMLParseError, isAlias, isMap, isPair, isScalar, isSeq, Parser, visit, type Alias, type CST, type Document, type Node } from "yaml";
import type { ConfigIssue } from "../errors.js";

/** How many times aliases may copy nodes in all: far more than a config needs, far less than a "billion laughs". */
const MAX_ALIAS_COUNT = 1000;

/** Deeper than any config needs, far less than what overflows the stack of the yaml library's composer. */
const MAX_DEPTH = 100;

/** The offset of the first collection nested deeper than MAX_DEPTH, from the syntax tree (built without recursion). */
function tooDeepAt(tokens: readonly CST.Token[]): number | undefined {
  const stack: Array<[CST.Token | null | undefined, number]> = tokens.map((token) => [token, 0]);
  for (let entry = stack.pop(); entry; entry = stack.pop()) {
    const [token, depth] = entry;
    if (token?.type === "document") {
      stack.push([token.value, depth]);
    } else if (token?.type === "block-map" || token?.type === "block-seq" || token?.type === "flow-collection") {
      if (depth >= MAX_DEPTH) return token.offset;
      for (const item of token.items) stack.push(["key" in item ? item.key : undefined, depth + 1], [item.value, depth + 1]);
    }
  }
  return undefined;
}

/**
 * The first document of the syntax tree, with an error when there are more: what the yaml library's
 * parseDocument gives for the same text, without parsing it again.
 */
function firstDocument(tokens: readonly CST.Token[], length: number): Document.Parsed {
  const composer = new Composer({ prettyErrors: false, uniqueKeys: true });
  let first: Document.Parsed | undefined;
  for (const document of composer.compose(tokens, true, length)) {
    if (!first) {
      first = document;
      continue;
    }
    first.errors.push(
      new YAMLParseError(document.range.slice(0, 2) as [number, number], "MULTIPLE_DOCS", "a config is one document: this `---` starts a second one"),
    );
    break;
  }
  return first as Document.Parsed;
}

/** A path into the config: keys and list indexes, like `["services", "ui", "depends_on", 0]`. */
export type ConfigPath = ReadonlyArray<string | number>;

/** How a later file's value merges, when its tag says (see ConfigSource.mergeTags). */
export type MergeTag = "reset" | "override";

/** A path as one string, to look it up in a map (keys of the file may hold any character). */
export function pathKey(path: ConfigPath): string {
  return JSON.stringify(path.map(String));
}

/** How an issue points into the config: at a key itself (an unknown key) or at its value (the default). */
export interface IssueOptions {
  hint?: string;
  at?: "key" | "value";
}

/** What points a problem at its place in the config: one file (ConfigSource), or several merged (MergedSource). */
export interface ConfigLocator {
  issue(path: ConfigPath, message: string, options?: IssueOptions): ConfigIssue;
}

/** The YAML text of a config file, parsed with positions so any problem can be pointed at. */
export class ConfigSource implements ConfigLocator {
  readonly file: string;
  /** Name of the file as shown in messages (relative to the working folder when inside it). */
  readonly displayName: string;
  readonly document: Document.Parsed;
  private readonly lines: Lines;
  /** Where the text nests collections deeper than MAX_DEPTH, if it does. */
  private readonly tooDeepAt: number | undefined;

  constructor(file: string, displayName: string, text: string) {
    this.file = file;
    this.displayName = displayName;
    this.lines = new Lines(text);
    // The syntax tree is built once: checked for depth, then composed into the document (as parseDocument does).
    const tokens = [...new Parser().parse(text)];
    this.tooDeepAt = tooDeepAt(tokens);
    // Composing a deeper document recurses until the stack overflows, at a depth that depends on the machine.
    this.document = this.tooDeepAt === undefined ? firstDocument(tokens, text.length) : firstDocument([], 0);
  }

  /** YAML syntax errors, as config issues. */
  syntaxIssues(): ConfigIssue[] {
    if (this.tooDeepAt !== undefined) return [this.issueAt(this.tooDeepAt, `invalid YAML: lists and maps nested more than ${MAX_DEPTH} levels deep`)];
    return this.document.errors.map((error) => {
      const position = this.lines.linePos(error.pos[0]);
      return {
        file: this.displayName,
        line: position.line,
        col: position.col,
        path: "",
        message: yamlMessage(error.code, error.message),
      };
    });
  }

  /**
   * A tag the yaml library does not know, and that is not one of compose's merge tags (`!reset`, `!override`):
   * its value is read as if it had none, which a typo (`!overide`) should not be, silently.
   */
  tagWarnings(): ConfigIssue[] {
    return this.document.warnings.flatMap((warning) => {
      const tag = warning.code === "TAG_RESOLVE_FAILED" ? /^Unresolved tag: (\S+)/.exec(warning.message)?.[1] : undefined;
      if (tag === undefined || tag === "!reset" || tag === "!override") return [];
      return [
        {
          ...this.issueAt(warning.pos[0], `unknown tag ${tag}: its value is read as if it had none`),
          hint: "the tags portmate knows are compose's !reset and !override",
        },
      ];
    });
  }

  /**
   * The plain data of the document, or what stops it from being built: a key that is a list or a map (which
   * would become its text, over several lines), an alias without an anchor, aliases that expand without end.
   */
  toJS(): { data: unknown; issues: ConfigIssue[] } {
    const issues: ConfigIssue[] = [];
    const aliases: Alias[] = [];
    visit(this.document, {
      Alias: (_, alias) => void aliases.push(alias),
      Pair: (_, pair) => {
        const key = pair.key;
        // A tagged scalar (`!!binary`, a YAML 1.1 `!!timestamp`) is an object too, stringified with a warning.
        if (key === null || (isScalar(key) && (key.value === null || typeof key.value !== "object"))) return;
        const what = isScalar(key)
          ? `a ${key.tag?.replace("tag:yaml.org,2002:", "!!") ?? "tagged"} value`
          : isAlias(key)
            ? "an alias"
            : isSeq(key)
              ? "a list"
              : "a map";
        issues.push(this.issueAt(rangeStart(key) ?? 0, `a key must be a name, not ${what}`));
      },
    });
    if (issues.length) return { data: undefined, issues };
    try {
      return { data: this.document.toJS({ maxAliasCount: MAX_ALIAS_COUNT }), issues };
    } catch (error) {
      if (!(error instanceof ReferenceError)) throw error;
      // Thrown by the yaml library for `*name` before (or without) `&name`, and for a "billion laughs" document.
      const name = /^Unresolved alias .*: (.*)$/.exec(error.message)?.[1];
      const alias = name === undefined ? aliases.at(-1) : aliases.find((candidate) => candidate.source === name);
      const message =
        name === undefined ? `aliases expand to too much data (over ${MAX_ALIAS_COUNT} copies)` : `alias *${name} refers to no anchor &${name} before it`;
      return { data: undefined, issues: [this.issueAt(rangeStart(alias) ?? 0, `invalid YAML: ${message}`)] };
    }
  }

  /**
   * Where the file says how it merges over the files before it, with compose's tags: `!reset` (the key goes,
   * as if never set) and `!override` (the value replaces, a map included, instead of merging). By path, as
   * pathKey gives it.
   */
  mergeTags(): Map<string, MergeTag> {
    const tags = new Map<string, MergeTag>();
    const stack: Array<[unknown, ConfigPath]> = [[this.document.contents, []]];
    for (let entry = stack.pop(); entry; entry = stack.pop()) {
      const [node, path] = entry;
      if (isMap(node)) {
        for (const pair of node.items) {
          const key = keyText(pair.key);
          if (key !== undefined) stack.push([pair.value, [...path, key]]);
        }
      } else if (isSeq(node)) {
        node.items.forEach((item, index) => stack.push([item, [...path, index]]));
      }
      const tag = (node as Node | null | undefined)?.tag;
      if (path.length && (tag === "!reset" || tag === "!override")) tags.set(pathKey(path), tag === "!reset" ? "reset" : "override");
    }
    return tags;
  }

  private issueAt(offset: number, message: string): ConfigIssue {
    const position = this.lines.linePos(offset);
    return { file: this.displayName, line: position.line, col: position.col, path: "", message: oneLine(message) };
  }

  /**
   * An issue pointing at `path`. With `at: "key"` it points at the key itself (for an unknown key),
   * otherwise at the value. When the path does not exist it points at its nearest existing parent.
   */
  issue(path: ConfigPath, message: string, options: IssueOptions = {}): ConfigIssue {
    const offset = this.find(path, options.at ?? "value").offset;
    const position = this.lines.linePos(offset);
    const issue: ConfigIssue = { file: this.displayName, line: position.line, col: position.col, path: oneLine(formatPath(path)), message: oneLine(message) };
    if (options.hint) issue.hint = oneLine(options.hint);
    return issue;
  }

  /** How many segments of `path` this file has, from the first: all of them when it sets that key. */
  depthOf(path: ConfigPath): number {
    return this.find(path, "value").depth;
  }

  /** Where `path` is (its nearest existing parent when it is not there), and how many of its segments were found. */
  private find(path: ConfigPath, at: "key" | "value"): { offset: number; depth: number } {
    let node: unknown = this.document.contents;
    let offset = rangeStart(node) ?? 0;
    for (const [index, segment] of path.entries()) {
      const last = index === path.length - 1;
      if (isMap(node)) {
        const pair = node.items.find((item) => isPair(item) && keyText(item.key) === String(segment));
        if (!pair) return { offset, depth: index };
        if (last && at === "key") return { offset: rangeStart(pair.key) ?? offset, depth: path.length };
        node = pair.value;
        offset = rangeStart(node) ?? rangeStart(pair.key) ?? offset;
      } else if (isSeq(node) && typeof segment === "number" && segment < node.items.length) {
        node = node.items[segment];
        offset = rangeStart(node) ?? offset;
      } else {
        return { offset, depth: index };
      }
    }
    return { offset, depth: path.length };
  }
}

/**
 * Line starts of the text, to turn an offset into `line:col`. Counted from the text itself: the yaml library's
 * LineCounter misses lines the parser skips after a syntax error, which put columns past the end of their line.
 */
class Lines {
  private readonly starts: number[] = [0];
  private readonly length: number;

  constructor(text: string) {
    this.length = text.length;
    for (let index = text.indexOf("\n"); index >= 0; index = text.indexOf("\n", index + 1)) this.starts.push(index + 1);
  }

  /** 1-based line and column of an offset (clamped to the text). */
  linePos(offset: number): { line: number; col: number } {
    const at = Math.max(0, Math.min(offset, this.length));
    let low = 0;
    let high = this.starts.length - 1;
    while (low < high) {
      const middle = Math.ceil((low + high) / 2);
      if ((this.starts[middle] ?? 0) <= at) low = middle;
      else high = middle - 1;
    }
    return { line: low + 1, col: at - (this.starts[low] ?? 0) + 1 };
  }
}

/** `["services", "ui", "depends_on", 0]` → `services.ui.depends_on[0]`. */
export function formatPath(path: ConfigPath): string {
  let text = "";
  for (const segment of path) {
    if (typeof segment === "number") text += `[${segment}]`;
    else text += text ? `.${segment}` : segment;
  }
  return text;
}

/**
 * A message quotes keys and values of the file, which may hold line breaks (`"a\nb": 1`, a multi-line `cwd`):
 * written as escapes, so that every issue stays the one line the spec promises.
 */
function oneLine(text: string): string {
  return text.replace(/[\u0000-\u0008\u000a-\u001f\u007f\u0085\u2028\u2029]/g, (char) =>
    char === "\n" ? "\\n" : char === "\r" ? "\\r" : `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return undefined;
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as Node | null | undefined)?.range;
  return range ? range[0] : undefined;
}

function yamlMessage(code: string, message: string): string {
  // The yaml library appends " at line L, column C:" and a source excerpt; portmate prints the position itself.
  const firstLine = message.split("\n")[0] ?? message;
  const text = firstLine.replace(/ at line \d+, column \d+:?$/, "");
  return `invalid YAML: ${text.charAt(0).toLowerCase()}${text.slice(1)} (${code})`;
}
