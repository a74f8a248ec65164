import { createInterface } from "node:readline";
import { execa } from "execa";
import type { PlannedCommand, PlannedService } from "../plan/types.js";
import { describeExit, type StackListener } from "./events.js";
import { FileWatch } from "./file-watch.js";
import type { ServiceRunner } from "./service-runner.js";

/** What the supervisor lends to act on changed files. */
export interface WatchLending {
  /** Every runner, in start order, as they are now. */
  runners(): readonly ServiceRunner[];
  emit: StackListener;
  /** Replaces a service's run with a new one on the same ports, as `portmate restart` does; resolves once healthy. */
  restart(runner: ServiceRunner): Promise<void>;
  /** Whether the service's instance is being stopped: nothing is restarted any more. */
  stopping(runner: ServiceRunner): boolean;
}

/**
 * The services' `watch:` at work: one FileWatch per service (shared by its instances); when its files change,
 * each running instance of it is restarted on its ports (or, with `rebuild`, the command runs first and the
 * restart happens only if it succeeds; with `signal`, it is sent the signal instead), then the services that
 * depend on it with `restart: true`, in start order, once it is ready again.
 */
export class WatchRestarts {
  private constructor(
    private readonly watches: FileWatch[],
    private readonly abort: AbortController,
  ) {}

  /** Starts watching for every service of `services` that has `watch:`; resolves once every watch is ready. */
  static async start(services: readonly PlannedService[], lent: WatchLending): Promise<WatchRestarts> {
    const abort = new AbortController();
    const watched = new Map<string, PlannedService>();
    for (const service of services) if (service.watch && !watched.has(service.name)) watched.set(service.name, service);
    const watches = await Promise.all(
      [...watched.keys()].map((name) =>
        FileWatch.start(watched.get(name)?.watch as NonNullable<PlannedService["watch"]>, (files) => changed(name, files, lent, abort.signal)),
      ),
    );
    return new WatchRestarts(watches, abort);
  }

  /** Stops watching and cuts short a rebuild under way. Idempotent. */
  async close(): Promise<void> {
    this.abort.abort();
    await Promise.all(this.watches.map((watch) => watch.close()));
  }
}

/** Acts on a change of `name`'s files, for every instance of it that is not stopped. */
async function changed(name: string, files: string[], lent: WatchLending, abort: AbortSignal): Promise<void> {
  const runners = lent.runners().filter((runner) => runner.service.name === name && !runner.stopCalled && !lent.stopping(runner));
  const watch = runners[0]?.service.watch;
  if (!watch || abort.aborted) return;
  const action = watch.signal ? "signal" : watch.rebuild ? "rebuild" : "restart";
  for (const runner of runners) lent.emit({ type: "watch", service: runner.id, files, action, ...(watch.signal ? { signal: watch.signal } : {}) });
  if (watch.signal) {
    for (const runner of runners) if (runner.isRunning && runner.pid !== undefined) signal(runner.pid, watch.signal);
    return;
  }
  if (watch.rebuild && runners[0]) {
    // The build is the same for every instance: it runs once, as the first one, with its environment and folder.
    const failed = await rebuild(runners[0], watch.rebuild, lent.emit, abort);
    if (failed !== undefined) {
      for (const runner of runners) lent.emit({ type: "watch", service: runner.id, files, action, failed });
      return;
    }
  }
  for (const runner of runners) {
    if (abort.aborted || lent.stopping(runner)) return;
    await lent.restart(runner).catch(() => undefined); // a run that does not come back healthy says so itself
    await restartDependents(runner, lent, abort);
  }
}

/** Restarts, in start order, the running services that depend on `runner` with `restart: true`, and theirs. */
async function restartDependents(runner: ServiceRunner, lent: WatchLending, abort: AbortSignal): Promise<void> {
  const restarted = new Set([runner.id]);
  for (const other of lent.runners()) {
    if (restarted.has(other.id) || other.stopCalled || abort.aborted || lent.stopping(other)) continue;
    if (!other.service.dependsOn.some((dependency) => dependency.restart && restarted.has(dependency.id))) continue;
    restarted.add(other.id);
    await lent.restart(other).catch(() => undefined);
  }
}

/** Runs the rebuild command, its output as the service's; undefined when it succeeded, else why not. */
async function rebuild(runner: ServiceRunner, command: PlannedCommand, emit: StackListener, abort: AbortSignal): Promise<string | undefined> {
  const { service } = runner;
  const options = { cwd: service.cwd, env: service.env, extendEnv: false, all: true, reject: false, stdin: "ignore", cancelSignal: abort } as const;
  const child = command.shell ? execa(command.script, { ...options, shell: true }) : execa(command.file, command.args, options);
  if (child.all) {
    for await (const line of createInterface({ input: child.all, crlfDelay: Infinity })) {
      emit({ type: "output", service: runner.id, stream: "stdout", line: `rebuild: ${line}` });
    }
  }
  const result = await child;
  if (result.isCanceled) return "the stack is stopping";
  if (result.failed) {
    const status = { code: result.exitCode ?? null, signal: (result.signal ?? null) as NodeJS.Signals | null };
    return result.exitCode === undefined && result.signal === undefined ? `rebuild could not run: ${result.shortMessage}` : `rebuild ${describeExit(status)}`;
  }
  return undefined;
}

/** Sends `name` to the service's main process; one that exited meanwhile has nothing to receive it. */
function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // gone: its exit is reported as any other
  }
}
