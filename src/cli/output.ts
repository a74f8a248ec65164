import type { Writable } from "node:stream";
import { colors } from "./terminal.js";

const PALETTE = [colors.cyan, colors.magenta, colors.green, colors.yellow, colors.blue, colors.red];
/** Lines held back while the progress display owns the terminal; older ones beyond this are dropped and counted. */
const MAX_HELD_LINES = 10_000;

/**
 * The services' output, multiplexed with a coloured `svc |` prefix per service (`svc#2 |` for instance 2),
 * aligned. Held back while the start-up progress is drawn, then printed in order.
 */
export class PrefixedOutput {
  private readonly width: number;
  private readonly colorOf = new Map<string, (text: string) => string>();
  private held: string[] | undefined = [];
  private dropped = 0;

  constructor(
    ids: readonly string[],
    private readonly out: Writable,
  ) {
    this.width = Math.max(0, ...ids.map((id) => id.length));
    const names = [...new Set(ids.map((id) => id.split("#")[0] ?? id))];
    for (const id of ids) {
      const index = names.indexOf(id.split("#")[0] ?? id);
      this.colorOf.set(id, PALETTE[index % PALETTE.length] ?? ((text: string) => text));
    }
  }

  /** One line of a service's output. */
  line(id: string, text: string): void {
    const paint = this.colorOf.get(id) ?? ((value: string) => value);
    this.write(`${paint(`${id.padEnd(this.width)} |`)} ${text}\n`);
  }

  /** A line from portmate itself about a service (`backend exited with code 1`). */
  note(id: string, text: string): void {
    const paint = this.colorOf.get(id) ?? ((value: string) => value);
    this.write(`${paint(`${id.padEnd(this.width)} |`)} ${colors.dim(text)}\n`);
  }

  /** Prints what was held back and writes every later line at once. */
  release(): void {
    const held = this.held ?? [];
    this.held = undefined;
    if (this.dropped) this.out.write(colors.dim(`(${this.dropped} earlier lines of output not shown)\n`));
    for (const line of held) this.out.write(line);
  }

  private write(line: string): void {
    if (!this.held) {
      this.out.write(line);
      return;
    }
    this.held.push(line);
    if (this.held.length > MAX_HELD_LINES) {
      this.held.shift();
      this.dropped++;
    }
  }
}
