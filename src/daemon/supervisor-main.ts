// The detached supervisor (bundled as dist/cjs/supervisor.cjs, run by supervisor-entry.ts): started by
// `portmate up -d` in a session of its own, it runs one stack (every instance of it) until `portmate down` asks
// it to stop, then exits. It loads no config: the CLI allocated the ports (reserved in this process's name) and
// sends the finished plan.
import { rmSync, statSync } from "node:fs";
import { ExitCode, PortmateError, StopRequestedError } from "../errors.js";
import { planFromJson } from "../plan/json.js";
import { Stack } from "../stack/stack.js";
import { stateLayout } from "../state/paths.js";
import { stateFolderError } from "../state/state-error.js";
import { PortLocks } from "../state/port-locks.js";
import { StackHost } from "../stack/host.js";
import { stickyPortsWriter } from "../state/sticky-ports.js";
import { PortBook } from "../ports/port-book.js";
import { isPortFree } from "../ports/probe.js";
import { Watchdog } from "../supervise/watchdog.js";
import { debugging } from "../util/debugging.js";
import type { StateLayout } from "../state/paths.js";
import { toWire, type FromSupervisor, type ToSupervisor } from "./protocol.js";

/** Sends to the CLI while it listens; resolves once the message is out (before the process may exit). */
function send(message: FromSupervisor): Promise<void> {
  return new Promise((resolve) => {
    if (!process.connected || !process.send) resolve();
    else process.send(message, undefined, {}, () => resolve());
  });
}

/** Exits, removing its own log file (`argv[2]`) when nothing was written to it (nothing went wrong). */
function exit(log: string, code: number): never {
  try {
    if (statSync(log).size === 0) rmSync(log);
  } catch {
    // already gone
  }
  process.exit(code);
}

/** Who holds a port, for messages; loaded only when a port turns out to be taken (it reads every stack record). */
function holderExplainer(layout: StateLayout): (port: number) => Promise<string | undefined> {
  return async (port) => (await import("../stack/port-ownership.js")).describePortHolder(port, layout);
}

async function run(message: Extract<ToSupervisor, { type: "start" }>): Promise<void> {
  const plan = planFromJson(message.plan);
  const layout = stateLayout(message.stateDir);
  const ports = plan.services.flatMap((service) => Object.values(service.ports));
  const locks = PortLocks.forThisProcess(layout.ports, plan.project);
  const book = new PortBook(locks.allocationOf(ports), {
    range: plan.wiring.range,
    reservations: [locks],
    explainBusy: holderExplainer(layout),
  });
  const stack = new Stack(plan, book, [], {
    stateDir: layout.root,
    ...(watchdog ? { watchdog } : {}),
    rememberPorts: stickyPortsWriter(layout, plan.project),
    // Loaded when the config changes: reading and planning a config is no cost to a supervisor until then.
    reload: async (running, services, instances) => (await import("../stack/reload.js")).reloadConfig(running, services, instances),
  });
  const host = await StackHost.open(stack, {
    layout,
    mode: "detached",
    onAllStopped: () => void host.close().then(() => exit(process.argv[2] ?? "", 0)),
  });
  stack.on((event) => {
    if (event.type !== "output") void send({ type: "event", event });
  });
  const stopAll = () => void host.stop({ instances: null, timeoutMs: null, force: false });
  // A bug that escapes every handler: its stack goes to this supervisor's log, the stack is stopped, exit 70.
  let crashed = false;
  const crash = (error: unknown) => {
    process.stderr.write(`portmate supervisor: internal error: ${(error as Error)?.stack ?? String(error)}\n`);
    if (crashed) return;
    crashed = true;
    void host
      .stop({ instances: null, timeoutMs: null, force: false })
      .catch(() => undefined)
      .then(() => host.close())
      .finally(() => process.exit(ExitCode.internal));
  };
  process.on("uncaughtException", crash);
  process.on("unhandledRejection", crash);
  process.on("SIGTERM", stopAll);
  process.on("SIGINT", stopAll);
  process.on("SIGHUP", () => undefined); // no terminal to lose: a stray SIGHUP must not kill the stack
  process.on("message", (next: ToSupervisor) => {
    if (next.type === "stop") stopAll();
  });
  try {
    await stack.start();
  } catch (error) {
    if (error instanceof StopRequestedError) {
      await send({ type: "stopped" });
    } else {
      await send({ type: "failed", error: toWire(error instanceof PortmateError ? error : new PortmateError(String((error as Error)?.stack ?? error), 1)) });
    }
    await host.close();
    exit(process.argv[2] ?? "", 0);
  }
  await send({ type: "ready", services: stack.list() });
  // The CLI may be gone already (its terminal closed): the stack runs on either way.
  if (process.connected) process.disconnect();
}

if (debugging()) process.setSourceMapsEnabled(true);

// The first TCP bind of a process costs ~10 ms of setup; the supervisor checks each service's ports with one
// just before starting it. Pay that now, while it waits for its plan, not on the way to the first service.
// The same goes for the first spawn: the watchdog's.
void isPortFree(0);
const watchdog = Watchdog.start();

process.once("message", (message: ToSupervisor) => {
  if (message.type !== "start") process.exit(1);
  run(message).catch((error: unknown) => {
    const stateFailure = stateFolderError(error, stateLayout(message.stateDir).root);
    const failure = stateFailure ?? new PortmateError(`the supervisor failed: ${(error as Error).message}`, 1);
    // What the user can fix is said to the user; anything else is a bug, whose stack goes to the supervisor's log.
    if (!stateFailure) process.stderr.write(`portmate supervisor: ${(error as Error)?.stack ?? String(error)}\n`);
    void send({ type: "failed", error: toWire(failure) }).then(() => process.exit(1));
  });
});
// Without a plan (the CLI died, or did not need this supervisor after all) there is nothing to do.
const noPlan = () => exit(process.argv[2] ?? "", 0);
process.once("disconnect", noPlan);
process.once("message", () => process.off("disconnect", noPlan));
