import { Listr, type ListrTask, type ListrTaskWrapper } from "listr2";
import type { PlannedService } from "../../plan/types.js";
import type { StackEvent, StackListener } from "../../supervise/events.js";
import { LiveRenderer, PlainRenderer, type ProgressView } from "./progress-renderers.js";
import type { Screen } from "./screen.js";
import { StartBoard } from "./start-board.js";

/** Without a live display, a service still starting says again what it is doing this often. */
const PLAIN_REMINDER_MS = 5000;

// A listr2 task wrapper, whatever the renderers.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type TaskWrapper = ListrTaskWrapper<any, any, any>;

interface OpenTask {
  task: TaskWrapper;
  resolve: () => void;
  reject: (error: Error) => void;
  /** The milestone last printed (plain lines only). */
  said?: string;
  saidAt?: number;
}

/**
 * The start-up progress of `portmate up`: one listr2 task per service of every instance, settled by the stack's
 * events through a StartBoard. On a terminal it is a live region (LiveRenderer) with the services' output
 * scrolling above it; elsewhere plain lines (PlainRenderer). A task is never touched again once it settled,
 * nor is anything once the display ended: whatever the stack says later (output, restarts, port moves) is the
 * caller's to print as lines.
 */
export class StartProgress {
  readonly board: StartBoard;
  private readonly listr: Listr;
  private readonly open = new Map<string, OpenTask>();
  private readonly live: boolean;
  private ended = false;
  private reminder: NodeJS.Timeout | undefined;

  /** `services`: what is started; `subscribe`: where its events come from (the stack, or a detached supervisor). */
  constructor(services: readonly PlannedService[], subscribe: (listener: StackListener) => void, screen: Screen, live: boolean) {
    this.board = new StartBoard(services);
    this.live = live && screen.interactive;
    const view: ProgressView = { board: this.board, screen };
    const tasks: ListrTask[] = services.map((service) => ({
      title: service.dependsOn.length ? this.board.line(service.id).text : service.id,
      task: (_ctx, task) =>
        new Promise<void>((resolve, reject) => {
          this.open.set(service.id, { task, resolve, reject });
          // listr2 runs task functions a tick after run(): the service may have settled already.
          this.update(service.id);
        }),
    }));
    this.listr = new Listr(tasks, {
      concurrent: true,
      exitOnError: false,
      registerSignalListeners: false,
      collectErrors: false,
      renderer: LiveRenderer,
      rendererOptions: { view },
      fallbackRenderer: PlainRenderer,
      fallbackRendererOptions: { view },
      fallbackRendererCondition: !this.live,
    });
    subscribe((event) => this.onEvent(event));
  }

  /** Draws until every service has settled; resolves when the display has ended. */
  async run(): Promise<void> {
    if (!this.live) {
      this.reminder = setInterval(() => {
        for (const id of this.open.keys()) this.update(id);
      }, 1000);
    }
    try {
      await this.listr.run();
    } finally {
      clearInterval(this.reminder);
      this.ended = true;
      this.open.clear();
    }
  }

  /** Settles every service not yet settled (the start failed or was stopped), so the display ends. */
  finish(cause: "stopped" | "failed"): void {
    if (this.ended) return;
    this.board.finish(cause);
    for (const id of [...this.open.keys()]) this.update(id);
  }

  private onEvent(event: StackEvent): void {
    if (this.ended || event.type === "output") return;
    if (this.board.apply(event)) this.update(event.service);
  }

  /** Brings a service's task up to date with the board; settles it once the board has. */
  private update(id: string): void {
    const open = this.open.get(id);
    if (!open) return;
    const line = this.board.line(id);
    if (this.board.settled(id)) {
      this.open.delete(id);
      open.task.title = line.text;
      if (line.state === "failed") open.reject(new Error(line.text));
      else {
        if (line.state === "skipped") open.task.skip(line.text);
        open.resolve();
      }
      return;
    }
    if (this.live) {
      // Only to have the live renderer redraw now: it draws the board, which knows more than a title.
      open.task.title = line.text;
      return;
    }
    // Plain lines: what a running service does, once, and again every few seconds while it lasts (a health
    // check that keeps failing). Waiting was said by the line that started its task.
    if (line.state !== "running") return;
    const milestone = line.text.replace(/ \(\d+s of [^)]+\)$/, "");
    const now = Date.now();
    if (milestone !== open.said || now - (open.saidAt ?? now) >= PLAIN_REMINDER_MS) {
      open.said = milestone;
      open.saidAt = now;
      open.task.output = line.text;
    }
  }
}
