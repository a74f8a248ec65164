import { closure, type DependencyMap } from "../util/graph.js";
import type { StackListener } from "./events.js";
import type { ServiceRunner } from "./service-runner.js";
import { isUp } from "./service-state.js";

/** What `portmate stop` did, by service id. */
export interface StopReport {
  /** Stopped now, dependents first. */
  stopped: string[];
  /** Named (or depending on one named) but stopped already. */
  notRunning: string[];
  /** Still running, though they depend on a service stopped now. */
  leftRunning: string[];
}

/** What `portmate start` did, by service id. */
export interface StartReport {
  /** Started and healthy, in start order, with their ports. */
  started: Array<{ service: string; ports: Record<string, number> }>;
  /** Named (or needed by one named) and running already: left alone. */
  alreadyRunning: string[];
}

/** What the supervisor lends to stop and start single services of its running stack. */
export interface LentServices {
  /** Every runner, in start order (dependencies first), as they are now. */
  readonly runners: readonly ServiceRunner[];
  /** Aborted by a forced stop of the stack: stops become SIGKILL at once. */
  readonly hurry: AbortSignal;
  readonly emit: StackListener;
  /** Puts a new runner in the place of a stopped one (a runner's stop is for good); throws while its instance stops. */
  replace(old: ServiceRunner): ServiceRunner;
  /** Starts a new runner as the stack's start would; throws ServiceFailedError (and stops it) when it is not healthy. */
  launch(runner: ServiceRunner): Promise<void>;
}

/**
 * Stops `named`, dependents before what they depend on; with `withDependents`, the services that depend on
 * them (transitively) too, else those keep running and the report names them.
 */
export async function stopServices(
  lent: LentServices,
  named: readonly ServiceRunner[],
  options: { withDependents?: boolean; timeoutMs?: number },
): Promise<StopReport> {
  const ids = named.map((runner) => runner.id);
  const targets = options.withDependents ? closure(dependentsGraph(lent.runners), ids) : new Set(ids);
  const report: StopReport = { stopped: [], notRunning: [], leftRunning: [] };
  // Dependents first: the reverse of the start order.
  for (const runner of lent.runners.filter((candidate) => targets.has(candidate.id)).reverse()) {
    if (runner.stopCalled) {
      report.notRunning.push(runner.id);
      continue;
    }
    lent.emit({ type: "requested", service: runner.id, action: "stop" });
    await runner.stop(lent.hurry, options.timeoutMs);
    report.stopped.push(runner.id);
  }
  const stoppedNow = new Set(report.stopped);
  report.leftRunning = lent.runners
    .filter((runner) => !runner.stopCalled && runner.service.dependsOn.some((dependency) => stoppedNow.has(dependency.id)))
    .map((runner) => runner.id);
  return report;
}

/**
 * Starts those of `named` that are not running (stopped, exited, given up on by their restart policy), the
 * ones they depend on that do not run first, each healthy before the next and on the ports it had.
 */
export async function startServices(lent: LentServices, named: readonly ServiceRunner[]): Promise<StartReport> {
  const names = new Set(named.map((runner) => runner.id));
  const wanted = closure(
    dependenciesGraph(lent.runners, (runner) => names.has(runner.id) || !isUp(runner.status)),
    names,
  );
  const report: StartReport = { started: [], alreadyRunning: [] };
  for (const old of lent.runners.filter((runner) => wanted.has(runner.id))) {
    if (isUp(old.status) || old.status === "restarting") {
      report.alreadyRunning.push(old.id);
      continue;
    }
    // What its last run left (a grandchild, a run being stopped) goes first, then a new runner takes its place.
    await old.stop(lent.hurry);
    const runner = lent.replace(old);
    lent.emit({ type: "requested", service: runner.id, action: "start" });
    await lent.launch(runner);
    report.started.push({ service: runner.id, ports: { ...runner.service.ports } });
  }
  return report;
}

/** Service id → the ids it depends on, among `runners` that pass `include`. */
function dependenciesGraph(runners: readonly ServiceRunner[], include: (runner: ServiceRunner) => boolean): DependencyMap {
  const graph = new Map<string, string[]>();
  for (const runner of runners)
    if (include(runner))
      graph.set(
        runner.id,
        runner.service.dependsOn.map((dependency) => dependency.id),
      );
  return graph;
}

/** Service id → the ids of the services that depend on it. */
function dependentsGraph(runners: readonly ServiceRunner[]): DependencyMap {
  const graph = new Map<string, string[]>(runners.map((runner) => [runner.id, []]));
  for (const runner of runners) for (const dependency of runner.service.dependsOn) graph.get(dependency.id)?.push(runner.id);
  return graph;
}
