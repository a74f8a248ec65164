import { ListrEventType, ListrTaskEventType, ListrTaskState, type ListrEventManager, type ListrTaskObject } from "listr2";
import type { BoardLine, BoardState, StartBoard } from "./start-board.js";
import type { Screen } from "./screen.js";
import { colors } from "./terminal.js";

/** What both renderers draw from and onto: the start's board and the terminal. */
export interface ProgressView {
  board: StartBoard;
  screen: Screen;
}

// listr2 hands a renderer its tasks typed for any renderer.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Tasks = ListrTaskObject<any, any, any>[];

const SPINNER = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
const FRAME_MS = 100;

const ICONS: Record<Exclude<BoardState, "running">, string> = {
  waiting: colors.dim("◼"),
  ready: colors.green("✔"),
  failed: colors.red("✖"),
  skipped: colors.yellow("↓"),
};

/** `✔ backend: ready in 115ms · http://127.0.0.1:8000`; a running service gets the spinner's current frame. */
export function formatBoardLine(line: BoardLine, frame = 0): string {
  const icon = line.state === "running" ? colors.yellow(SPINNER[frame % SPINNER.length] ?? "-") : ICONS[line.state];
  return `${icon} ${line.state === "waiting" ? colors.dim(line.text) : line.text}`;
}

/**
 * The progress display on a terminal (a listr2 renderer): the board's lines in a live region at the bottom of
 * the screen, redrawn when a task changes and ten times a second (the spinner, the seconds), with the services'
 * output scrolling above it. At the end the region gives way to the final lines, once, and is never drawn again.
 */
export class LiveRenderer {
  static nonTTY = true; // whether to draw live is portmate's choice (stdout a terminal, not CI, not TERM=dumb)
  static rendererOptions: { view?: ProgressView } = {};
  static rendererTaskOptions: Record<string, never> = {};

  private timer: NodeJS.Timeout | undefined;
  private frame = 0;
  private ended = false;
  private readonly view: ProgressView;

  constructor(
    _tasks: Tasks,
    options: typeof LiveRenderer.rendererOptions,
    private readonly events?: ListrEventManager,
  ) {
    if (!options.view) throw new Error("LiveRenderer needs a view");
    this.view = options.view;
  }

  render(): void {
    this.view.screen.startRegion();
    this.events?.on(ListrEventType.SHOULD_REFRESH_RENDER, this.draw);
    this.timer = setInterval(() => {
      this.frame++;
      this.draw();
    }, FRAME_MS);
    this.draw();
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    clearInterval(this.timer);
    this.events?.off(ListrEventType.SHOULD_REFRESH_RENDER, this.draw);
    this.view.screen.endRegion(this.view.board.lines().map((line) => formatBoardLine(line)));
  }

  private readonly draw = (): void => {
    if (this.ended) return;
    this.view.screen.setRegion(this.view.board.lines().map((line) => formatBoardLine(line, this.frame)));
  };
}

/**
 * The progress as plain lines (a listr2 renderer), where nothing can be redrawn: pipes, CI, `TERM=dumb`. A line
 * when a service's task starts (`❯ ui: waiting for backend (healthy)`), one per milestone (`› backend: starting
 * (pid 1234, port 8000)`), and one when it settles (`✔ backend: ready in 115ms`).
 */
export class PlainRenderer {
  static nonTTY = true;
  static rendererOptions: { view?: ProgressView } = {};
  static rendererTaskOptions: Record<string, never> = {};

  private readonly view: ProgressView;

  constructor(
    private readonly tasks: Tasks,
    options: typeof PlainRenderer.rendererOptions,
  ) {
    if (!options.view) throw new Error("PlainRenderer needs a view");
    this.view = options.view;
  }

  render(): void {
    for (const task of this.tasks) {
      task.on(ListrTaskEventType.STATE, (state) => {
        const icon = PLAIN_ICONS[state as keyof typeof PLAIN_ICONS];
        if (icon) this.view.screen.out(`${icon} ${task.title ?? ""}\n`);
      });
      task.on(ListrTaskEventType.OUTPUT, (output) => this.view.screen.out(`${colors.dim("›")} ${String(output)}\n`));
    }
  }

  end(): void {}
}

const PLAIN_ICONS = {
  [ListrTaskState.STARTED]: colors.yellow("❯"),
  [ListrTaskState.COMPLETED]: colors.green("✔"),
  [ListrTaskState.FAILED]: colors.red("✖"),
  [ListrTaskState.SKIPPED]: colors.yellow("↓"),
};
