import { ExitCode, StopRequestedError } from "../errors.js";
import type { Stack } from "../stack/stack.js";
import type { StackEvent } from "../supervise/events.js";
import { timing } from "./timing.js";
import { describeStackEvent } from "../stack/event-lines.js";
import { PrefixedOutput } from "./ui/output.js";
import { StartProgress } from "./ui/progress.js";
import type { Screen } from "./ui/screen.js";
import { reportReady } from "./ui/stack-report.js";
import { colors, wantsFancyProgress, type CliIO } from "./ui/terminal.js";

const STOP_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

/** Events worth a line while the stack still starts: the progress display tells the rest. */
const WHILE_STARTING = new Set<StackEvent["type"]>(["port", "stopped"]);

/**
 * One foreground run: the progress display while starting (with the services' output scrolling above it from
 * their first line), the table of services once all are ready, then their output as prefixed lines with
 * portmate's own as `portmate | …` lines, until Ctrl-C or SIGTERM (stop gracefully, dependents first; a second
 * Ctrl-C kills at once), `portmate down` from elsewhere, or until every service exited.
 */
export class ForegroundSession {
  private readonly output: PrefixedOutput;
  private readonly exitCodes: number[] = [];
  private signals = 0;
  private stoppedRemotely = false;
  /** Set once every service is healthy: only then can "every service exited" end the run. */
  private running = false;
  private progress: StartProgress | undefined;
  private finish!: () => void;
  private readonly finished = new Promise<void>((resolve) => (this.finish = resolve));
  private readonly onSignal = () => this.signal();

  constructor(
    private readonly stack: Stack,
    private readonly io: CliIO,
    private readonly screen: Screen,
  ) {
    this.output = new PrefixedOutput(
      stack.plan.services.map((service) => service.id),
      stack.plan.serviceNames,
      (text) => screen.out(text),
    );
    stack.on((event) => this.onEvent(event));
    for (const signal of STOP_SIGNALS) process.on(signal, this.onSignal);
  }

  /** `portmate down` from another terminal stopped every instance. */
  stoppedElsewhere(): void {
    this.stoppedRemotely = true;
    this.finish();
  }

  async run(): Promise<number> {
    if (!(await this.start())) {
      await this.stack.down();
      this.screen.err(`${colors.dim("Stopped before the stack was ready.")}\n`);
      return ExitCode.ok;
    }
    timing("healthy");
    reportReady(this.io, this.stack.list(), (text) => this.screen.out(text));
    this.running = true;
    if (this.stack.allExited()) this.finish();
    await this.finished;
    await this.stack.down();
    if (this.signals > 0 || this.stoppedRemotely) {
      this.screen.err(`${colors.dim(this.stoppedRemotely ? "Stopped by `portmate down`." : "Stopped.")}\n`);
      return ExitCode.ok;
    }
    // Every service exited by itself: success only if every one of them exited with code 0.
    return this.exitCodes.every((code) => code === 0) ? ExitCode.ok : ExitCode.serviceFailed;
  }

  /** Ends the display, if it is still drawn, and stops listening to signals. Idempotent. */
  dispose(): void {
    this.progress?.finish("failed");
    this.screen.endRegion();
    for (const signal of STOP_SIGNALS) process.off(signal, this.onSignal);
  }

  /** Starts with the progress display; false when a stop was requested before the stack was ready. */
  private async start(): Promise<boolean> {
    const progress = new StartProgress(this.stack.plan.services, (listener) => this.stack.on(listener), this.screen, wantsFancyProgress(this.io));
    this.progress = progress;
    const drawing = progress.run();
    let stopped = false;
    try {
      await this.stack.start();
    } catch (error) {
      if (!(error instanceof StopRequestedError)) throw error;
      stopped = true;
    } finally {
      progress.finish(stopped || this.signals > 0 ? "stopped" : "failed");
      await drawing;
    }
    return !stopped;
  }

  private signal(): void {
    this.signals++;
    if (this.signals === 1) {
      this.screen.err(`${colors.dim("Stopping… (press Ctrl-C again to kill at once)")}\n`);
      void this.stack.down();
      this.finish();
    } else {
      this.screen.err(`${colors.dim("Killing…")}\n`);
      void this.stack.down({ force: true });
    }
  }

  private onEvent(event: StackEvent): void {
    if (event.type === "spawned") timing("spawn");
    if (event.type === "output") {
      this.output.line(event.service, event.line);
      return;
    }
    if (event.type === "exited" && !event.requested) {
      this.exitCodes.push(event.status.code ?? 128);
      if (this.running && this.stack.allExited()) this.finish();
    }
    if (!this.running && !WHILE_STARTING.has(event.type) && !this.diedWhileOthersStart(event)) return;
    const line = describeStackEvent(event, (id) => this.stack.list().find((service) => service.id === id));
    // A config error is its position's line and a hint: each a line of its own.
    if (line) for (const part of line.split("\n")) this.output.note(part);
  }

  /** A service that was ready and exited while the others still start: the display has no line for that. */
  private diedWhileOthersStart(event: StackEvent): boolean {
    return event.type === "exited" && !event.requested && this.progress?.board.line(event.service).state === "ready" && !event.expected;
  }
}
