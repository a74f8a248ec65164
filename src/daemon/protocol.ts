import type { ServiceInfo } from "../stack/stack.js";
import type { StackEvent } from "../supervise/events.js";

/**
 * Messages between `portmate up -d` and the detached supervisor it starts, over the IPC channel of the fork.
 * The channel lives only while the stack starts; afterwards the supervisor is on its own.
 */
export type ToSupervisor =
  /** The plan to run (JSON, see plan-json.ts) and where the state folder is. */
  | { type: "start"; plan: string; stateDir: string }
  /** Ctrl-C while starting: stop everything. */
  | { type: "stop" };

export type FromSupervisor =
  | { type: "event"; event: StackEvent }
  | { type: "ready"; services: ServiceInfo[] }
  | { type: "failed"; error: { message: string; details: readonly string[]; exitCode: number } }
  | { type: "stopped" };
