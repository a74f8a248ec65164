import type { TerminalStream } from "./screen.js";

/** What a command's `--help` says after its options: notes, exit codes, examples. */
export interface HelpExtras {
  /** Paragraphs. */
  notes?: string[];
  /** Code and meaning. */
  exitCodes?: Array<[code: number, meaning: string]>;
  /** Command line and what it does. */
  examples?: Array<[command: string, what: string]>;
}

/** The width help is wrapped to: the terminal's (at most 100 columns, for reading), else 80. */
export function helpWidth(stream: TerminalStream): number {
  return stream.isTTY && stream.columns ? Math.max(40, Math.min(stream.columns, 100)) : 80;
}

/** Wraps `text` at spaces to `width`; lines after the first are indented by `indent`. */
export function wrap(text: string, width: number, indent = 0): string {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const room = width - (lines.length ? indent : 0);
    if (line && line.length + 1 + word.length > room) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.map((text, index) => (index ? " ".repeat(indent) + text : text)).join("\n");
}

/** Two columns, the second wrapped beside the first (`  portmate up -d   start in the background …`). */
function table(rows: Array<[string, string]>, width: number): string {
  const left = Math.min(Math.max(...rows.map(([term]) => term.length)), Math.floor(width / 2));
  return rows
    .map(([term, text]) => {
      const column = 2 + left + 2;
      if (term.length > left) return `  ${term}\n${" ".repeat(column)}${wrap(text, width - column, 0).replaceAll("\n", `\n${" ".repeat(column)}`)}`;
      return `  ${term.padEnd(left)}  ${wrap(text, width - column, 0).replaceAll("\n", `\n${" ".repeat(column)}`)}`;
    })
    .join("\n");
}

/** The text of `extras` for a help page `width` columns wide, starting with a blank line. */
export function formatHelpExtras(extras: HelpExtras, width: number): string {
  const parts: string[] = [];
  for (const note of extras.notes ?? []) parts.push(wrap(note, width));
  if (extras.exitCodes?.length)
    parts.push(
      `Exit codes:\n${table(
        extras.exitCodes.map(([code, meaning]) => [String(code), meaning]),
        width,
      )}`,
    );
  if (extras.examples?.length) parts.push(`Examples:\n${table(extras.examples, width)}`);
  return parts.length ? `\n${parts.join("\n\n")}` : "";
}
