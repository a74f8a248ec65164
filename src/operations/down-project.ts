import { ExitCode, PortmateError } from "../errors.js";
import { stopStacks } from "../stack/stop.js";
import { recordedStacks } from "../state/recorded-stacks.js";
import { stateLayout } from "../state/paths.js";

/** What `portmate down --json` prints: each stack instance stopped (`stale`: its supervisor had died). */
export interface DownJson {
  stopped: Array<{ project: string; instance: number; stale: boolean }>;
}

export interface DownProjectOptions {
  /** The project to stop; undefined: every stack on this machine. */
  project: string | undefined;
  /** Only this instance; default: every one. */
  instance?: number;
  /** Overrides every service's stop_timeout, in ms. */
  timeoutMs?: number;
  /** Told about anything worth saying on the way: an unreachable supervisor, a stale stack cleaned up. */
  warn?: (message: string) => void;
  /** Told which instances are about to be stopped, before stopping them takes its time. */
  stopping?: (stacks: ReadonlyArray<{ project: string; instance: number }>) => void;
}

/**
 * Stops a project's stacks (or every stack), even when their supervisor died, and returns once every process
 * is gone and every port closed; an error naming what could not be stopped. Nothing running: nothing stopped.
 */
export async function downProject(options: DownProjectOptions): Promise<DownJson> {
  const layout = stateLayout();
  const stacks = recordedStacks(layout, { project: options.project, warn: options.warn }).filter(
    ({ record }) => options.instance === undefined || record.instance === options.instance,
  );
  if (stacks.length === 0) return { stopped: [] };
  options.stopping?.(stacks.map(({ record }) => ({ project: record.project, instance: record.instance })));
  const result = await stopStacks(layout, stacks, {
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    ...(options.warn ? { warn: options.warn } : {}),
  });
  if (result.survivors.length || result.listening.length) {
    const left = [
      ...(result.survivors.length ? [`processes still running: ${result.survivors.join(", ")}`] : []),
      ...(result.listening.length ? [`ports still listening: ${result.listening.join(", ")}`] : []),
    ];
    throw new PortmateError("not everything could be stopped", ExitCode.serviceFailed, [...left, "hint: `portmate who PORT` names what holds a port"]);
  }
  return { stopped: result.stopped };
}
