import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from "yaml";
import type { ConfigIssue } from "../errors.js";

/** A path into the config: keys and list indexes, like `["services", "ui", "depends_on", 0]`. */
export type ConfigPath = ReadonlyArray<string | number>;

/** The YAML text of a config file, parsed with positions so any problem can be pointed at. */
export class ConfigSource {
  readonly file: string;
  /** Name of the file as shown in messages (relative to the working folder when inside it). */
  readonly displayName: string;
  readonly document: Document.Parsed;
  private readonly lines: LineCounter;

  constructor(file: string, displayName: string, text: string) {
    this.file = file;
    this.displayName = displayName;
    this.lines = new LineCounter();
    this.document = parseDocument(text, { lineCounter: this.lines, prettyErrors: false, uniqueKeys: true });
  }

  /** YAML syntax errors, as config issues. */
  syntaxIssues(): ConfigIssue[] {
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

  /** The plain data of the document. */
  toJS(): unknown {
    return this.document.toJS({ maxAliasCount: 1000 });
  }

  /**
   * An issue pointing at `path`. With `at: "key"` it points at the key itself (for an unknown key),
   * otherwise at the value. When the path does not exist it points at its nearest existing parent.
   */
  issue(path: ConfigPath, message: string, options: { hint?: string; at?: "key" | "value" } = {}): ConfigIssue {
    const offset = this.offsetOf(path, options.at ?? "value");
    const position = this.lines.linePos(offset);
    const issue: ConfigIssue = { file: this.displayName, line: position.line, col: position.col, path: formatPath(path), message };
    if (options.hint) issue.hint = options.hint;
    return issue;
  }

  private offsetOf(path: ConfigPath, at: "key" | "value"): number {
    let node: unknown = this.document.contents;
    let offset = rangeStart(node) ?? 0;
    for (const [index, segment] of path.entries()) {
      const last = index === path.length - 1;
      if (isMap(node)) {
        const pair = node.items.find((item) => isPair(item) && keyText(item.key) === String(segment));
        if (!pair) return offset;
        if (last && at === "key") return rangeStart(pair.key) ?? offset;
        node = pair.value;
        offset = rangeStart(node) ?? rangeStart(pair.key) ?? offset;
      } else if (isSeq(node) && typeof segment === "number") {
        node = node.items[segment];
        offset = rangeStart(node) ?? offset;
      } else {
        return offset;
      }
    }
    return offset;
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
