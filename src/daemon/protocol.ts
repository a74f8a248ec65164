import { PortmateError } from "../errors.js";
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
  { type: "event"; event: StackEvent } | { type: "ready"; services: ServiceInfo[] } | { type: "failed"; error: WireError } | { type: "stopped" };

/** A PortmateError as it crosses the channel: what the CLI reports, with the exit code it maps to. */
export interface WireError {
  message: string;
  details: readonly string[];
  exitCode: number;
}

export function toWire(error: PortmateError): WireError {
  return { message: error.message, details: error.details, exitCode: error.exitCode };
}

export function fromWire(error: WireError): PortmateError {
  return new PortmateError(error.message, error.exitCode, error.details);
}
