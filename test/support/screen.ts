// What the tests look for on the screen of a terminal running `portmate up` (see terminal.ts): the progress
// display's lines, the table of services, and what must never be there.
import { expect } from "vitest";

/** A progress line: what the start-up display draws (spinner, waiting, ready, failed, not started). */
export const PROGRESS = /^[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏◼✔✖↓❯] /;
export const SPINNER = /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/;
/** What a stack trace (Node's or Python's) or Node's dump of a source line looks like. */
export const TRACE = /^\s+at .+:\d+:\d+\)?$|file:\/\/.*:\d+$|TypeError|ReferenceError|Traceback/m;
const TABLE = /^SERVICE\s+PID\s+PORT/;

/** One row of the table of services on the screen. */
export interface TableRow {
  pid: number;
  /** Every port of the row, primary first. */
  ports: number[];
}

/** The table of services on the screen, by service; empty while there is none yet. */
export function screenTable(lines: string[]): Map<string, TableRow> {
  const at = lines.findIndex((line) => TABLE.test(line));
  const rows = new Map<string, TableRow>();
  if (at < 0) return rows;
  for (const line of lines.slice(at + 1)) {
    if (!line.trim()) break;
    const [id = "", pid = "", ...rest] = line.trim().split(/\s{2,}/);
    rows.set(id, { pid: Number(pid), ports: [...rest.slice(0, -1).join(" ").matchAll(/\d+/g)].map((match) => Number(match[0])) });
  }
  return rows;
}

/**
 * Checks the screen as a person reads it once the stack was ready: no stack trace, no spinner left, one final
 * `✔ id: ready…` line per service before the table, and no progress line after it.
 */
export function expectCleanScreen(lines: string[], ids: string[]): void {
  const text = lines.join("\n");
  expect(text, "a stack trace is on the screen").not.toMatch(TRACE);
  expect(text, "a spinner was left on the screen").not.toMatch(SPINNER);
  const table = lines.findIndex((line) => TABLE.test(line));
  expect(table, `no table of services on the screen:\n${text}`).toBeGreaterThan(0);
  for (const id of ids) {
    const finals = lines.slice(0, table).filter((line) => line.startsWith(`✔ ${id}: `));
    expect(finals, `${id}'s final progress line, once:\n${text}`).toHaveLength(1);
  }
  const after = lines.slice(table).filter((line) => PROGRESS.test(line));
  expect(after, "a progress line after the table").toEqual([]);
}
