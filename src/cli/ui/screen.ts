import type { Writable } from "node:stream";

// string-width and cli-truncate each build an Intl.Segmenter as they load, ~20 ms that only a live region
// needs: they are loaded when one starts, and it is not drawn before they are there.
let text: { stringWidth: typeof import("string-width").default; cliTruncate: typeof import("cli-truncate").default } | undefined;
let loadingText: Promise<void> | undefined;

function loadText(): Promise<void> {
  loadingText ??= Promise.all([import("string-width"), import("cli-truncate")]).then(([width, truncate]) => {
    text = { stringWidth: width.default, cliTruncate: truncate.default };
  });
  return loadingText;
}

/** string-width and cli-truncate: the region is drawn, and so erased, only once they are loaded. */
function loadedText(): NonNullable<typeof text> {
  if (!text) throw new Error("the live region was drawn before string-width was loaded");
  return text;
}

/** stdout or stderr: a terminal tells its size. */
export type TerminalStream = Writable & { isTTY?: boolean; columns?: number; rows?: number };

const ERASE_DOWN = "\x1b[J";

/**
 * The terminal as the foreground CLI writes to it: lines that scroll, and while the stack starts a live region
 * at the bottom (the progress display), redrawn in place. Text written while the region is drawn goes above
 * it: the region is erased, the text written, the region drawn again, once per turn of the event loop however
 * many lines came. Region lines are cut to the terminal's width so they never wrap (a wrapped line could not
 * be erased exactly), and there are never more of them than the terminal has rows. Once ended, the region is
 * never drawn again and every write goes straight through.
 */
export class Screen {
  private live = false;
  private wanted: string[] = [];
  /** `wanted` when it was last drawn, and at which width: nothing to redraw while both are the same. */
  private drawnFrom = "";
  /** The region as it is on the terminal now. */
  private drawn: string[] = [];
  private queue: Array<{ stream: TerminalStream; text: string }> = [];
  private scheduled: NodeJS.Immediate | undefined;
  private readonly onResize = () => this.schedule();

  constructor(
    readonly stdout: TerminalStream,
    readonly stderr: TerminalStream,
  ) {}

  /** Whether a live region can be drawn at all: stdout is a terminal. */
  get interactive(): boolean {
    return this.stdout.isTTY === true;
  }

  get isLive(): boolean {
    return this.live;
  }

  /** Writes whole lines to stdout (above the region while there is one). */
  out(text: string): void {
    this.write(this.stdout, text);
  }

  /** Writes whole lines to stderr (above the region while there is one, when stderr is the terminal too). */
  err(text: string): void {
    this.write(this.stderr, text);
  }

  /** From now on the bottom of the terminal is a region redrawn in place. Only on a terminal; once. */
  startRegion(): void {
    if (this.live || !this.interactive) return;
    this.live = true;
    void loadText();
    this.stdout.on("resize", this.onResize);
  }

  /** What the region shows from now on (drawn at the next turn of the event loop). Ignored once it ended. */
  setRegion(lines: readonly string[]): void {
    if (!this.live) return;
    this.wanted = [...lines];
    this.schedule();
  }

  /**
   * Ends the region: what was written meanwhile is written, the region is erased and `finalLines` are written
   * in its place as ordinary lines. From then on nothing is redrawn. Idempotent.
   */
  endRegion(finalLines: readonly string[] = []): void {
    if (!this.live) return;
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    this.stdout.off("resize", this.onResize);
    this.flush(finalLines.map((line) => `${line}\n`).join(""));
    this.live = false;
    this.drawn = [];
  }

  private write(stream: TerminalStream, text: string): void {
    if (!text) return;
    // A stderr that is not the terminal (redirected) does not cross the region.
    if (!this.live || (stream !== this.stdout && stream.isTTY !== true)) {
      stream.write(text);
      return;
    }
    this.queue.push({ stream, text: text.endsWith("\n") ? text : `${text}\n` });
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled || !this.live) return;
    if (!text) {
      void loadText().then(() => this.schedule());
      return;
    }
    this.scheduled = setImmediate(() => {
      this.scheduled = undefined;
      if (this.live && (this.queue.length > 0 || this.regionKey() !== this.drawnFrom)) this.flush();
    });
  }

  /** Erases the region, writes what is queued, then draws the region again (or `instead` of it). */
  private flush(instead?: string): void {
    const chunks: Array<{ stream: TerminalStream; text: string }> = [{ stream: this.stdout, text: this.erase() }];
    for (const item of this.queue) chunks.push(item);
    this.queue = [];
    chunks.push({ stream: this.stdout, text: instead ?? this.draw() });
    // Consecutive writes to one stream as one write: fewer system calls, and no half-drawn region in between.
    let pending: { stream: TerminalStream; text: string } | undefined;
    for (const chunk of chunks) {
      if (pending && pending.stream === chunk.stream) pending.text += chunk.text;
      else {
        if (pending?.text) pending.stream.write(pending.text);
        pending = { ...chunk };
      }
    }
    if (pending?.text) pending.stream.write(pending.text);
  }

  /** Moves the cursor to the region's first row and erases down from there. */
  private erase(): string {
    if (this.drawn.length === 0) return "";
    const columns = this.columns();
    // After a resize a terminal may have re-wrapped the lines drawn at the old width.
    const rows = this.drawn.reduce((sum, line) => sum + Math.max(1, Math.ceil(loadedText().stringWidth(line) / columns)), 0);
    this.drawn = [];
    return `\r\x1b[${rows}A${ERASE_DOWN}`;
  }

  private regionKey(): string {
    return `${this.columns()}x${this.stdout.rows ?? 0}\n${this.wanted.join("\n")}`;
  }

  private draw(): string {
    this.drawnFrom = this.regionKey();
    const width = Math.max(1, this.columns() - 1);
    const height = Math.max(1, (this.stdout.rows || 24) - 1);
    let lines = this.wanted;
    if (lines.length > height) lines = [...lines.slice(0, height - 1), `… ${lines.length - height + 1} more`];
    const { cliTruncate } = loadedText();
    this.drawn = lines.map((line) => cliTruncate(line.replace(/[\r\n\t]/g, " "), width));
    return this.drawn.map((line) => `${line}\n`).join("");
  }

  private columns(): number {
    return this.stdout.columns || 80;
  }
}
