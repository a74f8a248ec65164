// Runs the real CLI in a pseudo-terminal and reads its screen through a headless terminal emulator, as a
// person sees it: redraws and erasures are applied, so what is judged is what is left on the screen, not the
// bytes that drew it.
import { createRequire } from "node:module";
import { setTimeout as sleep } from "node:timers/promises";
import type { IPty } from "@lydell/node-pty";
import { CLI, onCleanup, pidGone } from "./helpers.js";

// Both are CommonJS modules without named exports an ES module can import.
const require = createRequire(import.meta.url);
const pty = require("@lydell/node-pty") as typeof import("@lydell/node-pty");
const { Terminal } = require("@xterm/headless") as typeof import("@xterm/headless");

export interface TerminalOptions {
  cwd: string;
  env?: Record<string, string>;
  cols?: number;
  rows?: number;
  /** Arguments for node before the CLI's path (`--import` of a fault to inject). */
  nodeArgs?: string[];
}

/** The environment of a person's terminal: no CI, no NO_COLOR unless asked for, a colour terminal. */
function terminalEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !/^(CI|NO_COLOR|FORCE_COLOR|GITHUB_ACTIONS|VITEST.*|TERM)$/.test(key)) env[key] = value;
  }
  return { ...env, TERM: "xterm-256color", COLORTERM: "truecolor", ...extra };
}

/** A portmate command running in a terminal of its own. */
export class TerminalSession {
  readonly exited: Promise<{ exitCode: number; signal?: number }>;
  /** Every byte the program wrote, for messages when a test fails. */
  raw = "";
  private readonly terminal: InstanceType<typeof Terminal>;
  private readonly process: IPty;
  private writing: Promise<void> = Promise.resolve();
  private done = false;

  private constructor(args: string[], options: TerminalOptions) {
    const cols = options.cols ?? 100;
    const rows = options.rows ?? 30;
    this.terminal = new Terminal({ cols, rows, scrollback: 100_000, allowProposedApi: true });
    this.process = pty.spawn(process.execPath, [...(options.nodeArgs ?? []), CLI, ...args], {
      name: "xterm-256color",
      cols,
      rows,
      cwd: options.cwd,
      env: terminalEnv(options.env),
    });
    this.process.onData((data) => {
      this.raw += data;
      this.writing = this.writing.then(() => new Promise<void>((resolve) => this.terminal.write(data, resolve)));
    });
    this.exited = new Promise((resolve) =>
      this.process.onExit((exit) => {
        this.done = true;
        resolve(exit);
      }),
    );
  }

  /** Starts `portmate ARGS…` in a terminal; stopped (Ctrl-C, then SIGKILL) after the test if still running. */
  static start(args: string[], options: TerminalOptions): TerminalSession {
    const session = new TerminalSession(args, options);
    onCleanup(async () => {
      if (session.done) return;
      session.type("\x03");
      const killed = setTimeout(() => session.kill("SIGKILL"), 15_000);
      await session.exited;
      clearTimeout(killed);
    });
    return session;
  }

  get pid(): number {
    return this.process.pid;
  }

  /** Types into the terminal, as a person would: `"\x03"` is Ctrl-C (the line discipline turns it into SIGINT). */
  type(text: string): void {
    this.process.write(text);
  }

  kill(signal: NodeJS.Signals): void {
    if (!this.done && !pidGone(this.process.pid)) this.process.kill(signal);
  }

  resize(cols: number, rows: number): void {
    this.process.resize(cols, rows);
    this.terminal.resize(cols, rows);
  }

  /** Every line of the terminal, scrollback included, with wrapped lines joined back, trailing blanks cut. */
  async lines(): Promise<string[]> {
    await this.writing;
    const buffer = this.terminal.buffer.active;
    const lines: string[] = [];
    for (let index = 0; index < buffer.length; index++) {
      const line = buffer.getLine(index);
      if (!line) continue;
      const text = line.translateToString(true);
      if (line.isWrapped && lines.length) lines[lines.length - 1] += text;
      else lines.push(text);
    }
    while (lines.length && lines.at(-1) === "") lines.pop();
    return lines;
  }

  /** What the terminal shows: every line, as one text. */
  async text(): Promise<string> {
    return (await this.lines()).join("\n");
  }

  /** The rows visible right now, as they are (not joined). */
  async viewport(): Promise<string[]> {
    await this.writing;
    const buffer = this.terminal.buffer.active;
    const rows: string[] = [];
    for (let row = 0; row < this.terminal.rows; row++) rows.push(buffer.getLine(buffer.viewportY + row)?.translateToString(true) ?? "");
    return rows;
  }

  /** Whether any cell of the screen is painted with a colour (foreground or background). */
  async hasColour(): Promise<boolean> {
    await this.writing;
    const buffer = this.terminal.buffer.active;
    for (let index = 0; index < buffer.length; index++) {
      const line = buffer.getLine(index);
      if (!line) continue;
      for (let column = 0; column < line.length; column++) {
        const cell = line.getCell(column);
        if (cell && (!cell.isFgDefault() || !cell.isBgDefault())) return true;
      }
    }
    return false;
  }

  /** Resolves with the screen's text once it matches `pattern`; fails with the screen after `timeoutMs`. */
  async waitFor(pattern: RegExp, timeoutMs = 20_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const text = await this.text();
      if (pattern.test(text)) return text;
      if (this.done) throw new Error(`exited before the screen matched ${pattern}; screen:\n${text}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}; screen:\n${text}`);
      await sleep(50);
    }
  }

  /** Resolves with the screen's lines once `predicate` holds for them; fails with the screen after `timeoutMs`. */
  async waitUntil(predicate: (lines: string[]) => boolean, what: string, timeoutMs = 20_000): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const lines = await this.lines();
      if (predicate(lines)) return lines;
      if (this.done) throw new Error(`exited before ${what}; screen:\n${lines.join("\n")}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; screen:\n${lines.join("\n")}`);
      await sleep(50);
    }
  }

  /** Waits for the program to exit; returns its exit code and the final screen. */
  async finished(timeoutMs = 30_000): Promise<{ exitCode: number; text: string }> {
    const timer = setTimeout(() => this.kill("SIGKILL"), timeoutMs);
    const { exitCode } = await this.exited;
    clearTimeout(timer);
    // The last bytes may still be on their way through the emulator.
    await sleep(50);
    return { exitCode, text: await this.text() };
  }
}
