import { unknownNameError } from "../util/did-you-mean.js";
import { ExitCode, PortmateError } from "../errors.js";
import { recordedStacks } from "../state/recorded-stacks.js";
import { stateLayout } from "../state/paths.js";
import type { ServiceRecord, StackRecord } from "../state/registry.js";

/**
 * The record of a project's running instance, for commands that talk about what runs (`port`, `env`,
 * `restart`); a clear error when it does not run, or its supervisor died.
 */
export function runningRecord(project: string, instance: number): StackRecord {
  const stack = recordedStacks(stateLayout(), { project }).find(({ record }) => record.instance === instance);
  if (!stack) {
    throw new PortmateError(`${project}${instance === 1 ? "" : ` instance ${instance}`} is not running`, ExitCode.serviceFailed, [
      "hint: `portmate up -d` starts it in the background",
    ]);
  }
  if (!stack.alive) {
    throw new PortmateError(`${project} is stale: its supervisor died, so its ports may be gone`, ExitCode.serviceFailed, [
      "hint: `portmate down` cleans it up; `portmate up` starts it again",
    ]);
  }
  return stack.record;
}

/** A service of a running instance by name, or a usage error that names the ones there are. */
export function recordedService(record: StackRecord, name: string): ServiceRecord {
  const service = record.services.find((candidate) => candidate.name === name);
  if (service) return service;
  const names = record.services.map((candidate) => candidate.name);
  throw unknownNameError(name, names, { message: `${record.project} has no service "${name}"`, list: "services" });
}
