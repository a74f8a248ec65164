import { setTimeout as sleep } from "node:timers/promises";
import { formatDuration } from "../util/duration.js";
import type { PlannedService, PlannedTunnel } from "../plan/types.js";
import type { StackListener } from "./events.js";
import { identify } from "../process/process-tree.js";
import type { ExitStatus, Spawner, SpawnedProcess } from "./spawn.js";
import { terminateTree } from "../process/terminate.js";
import { describeExit } from "./events.js";
import { verifyTunnel } from "./tunnel-verify.js";

/** A tunnel that could not be opened or verified, in words for the user. */
export class TunnelFailure extends Error {}

/** Where a tunnel is in its life. */
export type TunnelState = "opening" | "open" | "failed" | "reopening" | "closed";

/** Lines of the tunnel program's output kept to explain a failure. */
const KEPT_LINES = 50;
/** How long the tunnel program gets to stop before SIGKILL. */
const STOP_TIMEOUT_MS = 3000;
/** Waits before opening a dropped tunnel again: doubling from the first to the last. */
const REOPEN_DELAY_MS = { first: 1000, max: 30_000 };

/**
 * The public tunnel of one service: runs the tunnel program once the service is healthy, reads the public URL
 * from its output, verifies that the URL reaches the service, and opens it again whenever it drops while the
 * service runs. The program carries the service's mark, so whatever stops the service (its stop, `down`, the
 * watchdog) stops its tunnel too.
 */
export class TunnelRunner {
  state: TunnelState | undefined;
  /** The verified public URL while the tunnel is open. */
  publicUrl: string | undefined;
  /** Why the last attempt failed. */
  reason: string | undefined;
  pid: number | undefined;

  private closing = new AbortController();
  private current: { process: SpawnedProcess; exited: boolean } | undefined;
  private readonly recent: string[] = [];
  private keeping: Promise<void> | undefined;
  /** The first attempt, while it runs: close() waits for it, so no program it started outlives the close. */
  private opening: Promise<void> | undefined;

  constructor(
    private readonly service: () => PlannedService,
    private readonly spawn: Spawner,
    private readonly emit: StackListener,
  ) {}

  private get tunnel(): PlannedTunnel {
    const tunnel = this.service().tunnel;
    if (!tunnel) throw new Error(`${this.service().id} has no tunnel`);
    return tunnel;
  }

  /**
   * Opens the tunnel and resolves once it is open and verified; throws TunnelFailure when it cannot be (the
   * caller decides whether the stack can do without it). Once open, it is kept open until close().
   */
  async open(): Promise<void> {
    this.closing = new AbortController();
    this.state = "opening";
    this.emit({ type: "tunnel", service: this.service().id, state: "opening" });
    this.opening = this.attempt(this.closing.signal);
    try {
      await this.opening;
    } catch (error) {
      if (this.closing.signal.aborted) return;
      this.failed(error);
      throw error;
    } finally {
      this.opening = undefined;
    }
  }

  /** Stops the tunnel program and any reopening; idempotent. */
  async close(): Promise<void> {
    this.closing.abort();
    const running = this.current;
    await this.stopProcess();
    // An attempt under way stops what it started once it sees the abort.
    await Promise.all([this.opening?.catch(() => undefined), this.keeping]);
    if (this.state !== undefined && this.state !== "closed") {
      this.state = "closed";
      this.publicUrl = undefined;
      if (running) this.emit({ type: "tunnel", service: this.service().id, state: "closed" });
    }
  }

  /** One try: start the program, find its public URL, verify it. Leaves nothing running when it fails. */
  private async attempt(signal: AbortSignal): Promise<void> {
    const tunnel = this.tunnel;
    if (tunnel.unavailable) throw new TunnelFailure(tunnel.unavailable);
    const deadline = Date.now() + tunnel.timeoutMs;
    const found = new Promise<string>((resolve, reject) => {
      const onLine = (line: string) => {
        this.keep(line);
        const match = tunnel.urlPattern?.exec(line);
        if (match) resolve(publicUrlOf(tunnel, match));
      };
      this.spawn({ ...this.service(), command: tunnel.command }, onLine).then(
        (process) => {
          this.current = { process, exited: false };
          this.pid = process.pid;
          void process.exit.then((status) => {
            if (this.current?.process === process) this.current.exited = true;
            reject(new TunnelFailure(`${programName(tunnel)} ${describeExit(status)}${this.explanation()}`));
            this.onDrop(process, status);
          });
          if (tunnel.publicUrl !== undefined) resolve(tunnel.publicUrl);
        },
        (error: unknown) =>
          reject(new TunnelFailure(`could not start ${programName(tunnel)}: ${(error as Error).message}${tunnel.hint ? ` (${tunnel.hint})` : ""}`)),
      );
    });
    try {
      const url = await withDeadline(
        found,
        deadline,
        signal,
        () => `${programName(tunnel)} printed no public URL within ${formatDuration(tunnel.timeoutMs)}${this.explanation()}`,
      );
      if (tunnel.verifyPath !== null) {
        const verified = await verifyTunnel(url, tunnel.port, tunnel.verifyPath, deadline, signal);
        if (!verified.ok) throw new TunnelFailure(`${verified.reason}${this.current?.exited ? this.explanation() : ""}`);
      }
      this.publicUrl = url;
      this.reason = undefined;
      this.state = "open";
      this.emit({ type: "tunnel", service: this.service().id, state: "open", url, verified: tunnel.verifyPath !== null, port: tunnel.port });
    } catch (error) {
      await this.stopProcess();
      throw error;
    }
  }

  /** The program exited by itself while the tunnel was open: open it again, and keep trying, until close(). */
  private onDrop(process: SpawnedProcess, status: ExitStatus): void {
    if (this.closing.signal.aborted || this.current?.process !== process || this.state !== "open") return;
    this.state = "reopening";
    this.publicUrl = undefined;
    const service = this.service().id;
    this.emit({ type: "tunnel", service, state: "dropped", reason: `${programName(this.tunnel)} ${describeExit(status)}${this.explanation()}` });
    this.keeping = this.reopen(this.closing.signal).catch(() => undefined);
  }

  private async reopen(signal: AbortSignal): Promise<void> {
    let delay = REOPEN_DELAY_MS.first;
    while (!signal.aborted) {
      await sleep(delay, undefined, { signal });
      delay = Math.min(delay * 2, REOPEN_DELAY_MS.max);
      try {
        await this.attempt(signal);
        return;
      } catch (error) {
        if (signal.aborted) return;
        this.failed(error, true);
      }
    }
  }

  private failed(error: unknown, retrying = false): void {
    this.reason = error instanceof TunnelFailure ? error.message : String((error as Error)?.message ?? error);
    this.state = retrying ? "reopening" : "failed";
    this.publicUrl = undefined;
    this.emit({ type: "tunnel", service: this.service().id, state: "failed", reason: this.reason, retrying });
  }

  private async stopProcess(): Promise<void> {
    const running = this.current;
    this.current = undefined;
    this.pid = undefined;
    if (!running || running.exited) return;
    await terminateTree(identify(running.process.pid), { signal: "SIGTERM", timeoutMs: STOP_TIMEOUT_MS });
    await running.process.exit;
  }

  private keep(line: string): void {
    this.recent.push(line);
    if (this.recent.length > KEPT_LINES) this.recent.shift();
  }

  /** `: <the program's last words>`: its last line that is not chatter, for a failure message. */
  private explanation(): string {
    const { explain: words, urlPattern } = this.tunnel;
    for (let index = this.recent.length - 1; index >= 0; index--) {
      const line = (this.recent[index] ?? "").trim();
      // The line that gave the URL says the tunnel opened: no explanation of why it closed.
      if (!line || urlPattern?.test(line)) continue;
      if (words) {
        const match = words.exec(line);
        if (match) return `: ${match[1] ?? match[0]}`;
      } else return `: ${line}`;
    }
    return "";
  }
}

/** The public URL from what the tunnel program printed: `url` with `${found}` filled in, else what was found. */
function publicUrlOf(tunnel: PlannedTunnel, match: RegExpExecArray): string {
  const found = match.slice(1).find((group) => group !== undefined) ?? match[0];
  return tunnel.url === undefined ? found : tunnel.url.replaceAll("${found}", found);
}

function programName(tunnel: PlannedTunnel): string {
  return tunnel.command.shell ? "the tunnel command" : tunnel.command.file;
}

/** `promise`, unless `deadline` passes (TunnelFailure with `message()`) or `signal` aborts first. */
async function withDeadline<T>(promise: Promise<T>, deadline: number, signal: AbortSignal, message: () => string): Promise<T> {
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), Math.max(0, deadline - Date.now()));
  try {
    return await new Promise<T>((resolve, reject) => {
      const onAbort = () => reject(signal.reason);
      const onTimeout = () => reject(new TunnelFailure(message()));
      signal.addEventListener("abort", onAbort, { once: true });
      timeout.signal.addEventListener("abort", onTimeout, { once: true });
      promise.then(resolve, reject).finally(() => {
        signal.removeEventListener("abort", onAbort);
        timeout.signal.removeEventListener("abort", onTimeout);
      });
    });
  } finally {
    clearTimeout(timer);
  }
}
