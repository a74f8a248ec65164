import { portVariable, urlVariable } from "../plan/discovery-env.js";
import { portKey } from "../plan/names.js";
import { renderService } from "../plan/render.js";
import type { PlannedService, Wiring } from "../plan/types.js";
import type { PortBook } from "../ports/port-book.js";
import type { StackEvent, StackListener } from "./events.js";
import { StartFailure, type Announcement, type ServiceRunner } from "./service-runner.js";
import { isPortFree } from "../ports/probe.js";
import { describeHolders, whoHolds } from "../ports/port-holders.js";
import { foreignHeld, stolenPorts, type StolenPort } from "./stolen-port.js";

/** How often a service's ports are replaced because other processes took them as it started, before giving up. */
export const MAX_PORT_MOVES = 3;

/** What `portmate restart` did for one service. */
export interface RestartReport {
  service: string;
  /** Ports that changed (`--new-port`). */
  moved: Array<{ name: string; from: number; to: number }>;
  /** Services restarted as well because they refer to a port that changed. */
  restarted: string[];
}

/**
 * Changes a running stack's ports and keeps its wiring right: a port announced by a service, a port another
 * process took as the service started (spec §3, stolen port), `restart --new-port`. After a port changes, every
 * running service of the instance whose command or environment refers to it is restarted, in start order, so it
 * points at the new port. Moves and restarts happen one at a time.
 */
export class Rewiring {
  private queue: Promise<unknown> = Promise.resolve();
  /** The variables injected for services that announce their port: `<SVC>_PORT`, `<SVC>_URL`. */
  private readonly announcedVariables: ReadonlySet<string>;

  constructor(
    private readonly wiring: Wiring,
    private readonly runners: readonly ServiceRunner[],
    private readonly ports: PortBook | undefined,
    private readonly emit: StackListener,
  ) {
    const announcing = wiring.services.filter((service) => service.announce).map((service) => service.name);
    this.announcedVariables = new Set(announcing.flatMap((name) => [portVariable(name), urlVariable(name)]));
  }

  /**
   * Takes on the port `runner` announced; when it had announced another before, re-wires what refers to it.
   * (Not queued behind other changes: a restart of a service that announces waits for this.)
   */
  async adopt(runner: ServiceRunner, announcement: Announcement): Promise<void> {
    const { name, instance } = runner.service;
    const portName = this.wiring.services.find((service) => service.name === name)?.ports[0]?.name ?? "default";
    const key = portKey(instance, name, portName);
    const previous = this.wiring.ports[key];
    const urlKey = `${instance}/${name}`;
    if (previous === announcement.port && this.wiring.urls[urlKey] === announcement.url) return;
    if (previous !== undefined) await this.ports?.release([previous]);
    const reserved = (await this.ports?.adopt(announcement.port)) ?? true;
    this.wiring.ports[key] = announcement.port;
    if (announcement.url) this.wiring.urls[urlKey] = announcement.url;
    else delete this.wiring.urls[urlKey];
    runner.service = this.render(runner);
    const affected = previous === undefined ? [] : this.affected(runner);
    const event: StackEvent = { type: "port", service: runner.id, name: portName, port: announcement.port, reason: "announced", restarting: ids(affected) };
    if (runner.service.url) event.url = runner.service.url;
    if (previous !== undefined) event.previous = previous;
    if (!reserved) event.holder = "another portmate stack";
    this.emit(event);
    await this.restartAll(affected);
  }

  /**
   * Before `runner` is launched during the start: a port taken since it was allocated (found by one bind each,
   * so this costs next to nothing when all is well) is moved before the service even tries it.
   */
  async keepPortsFree(runner: ServiceRunner): Promise<void> {
    if (!this.ports || runner.service.announce) return;
    const service = this.render(runner);
    const taken: StolenPort[] = [];
    for (const [name, port] of Object.entries(service.ports)) if (!(await isPortFree(port))) taken.push({ name, port });
    if (taken.length === 0) return;
    const moved = await this.serially(async () => {
      for (const port of taken) port.holder = describeHolders(await whoHolds(port.port));
      return this.moveStolen(runner, taken);
    });
    if (moved !== true) throw moved;
  }

  /**
   * After `runner` exited before it was healthy: when another process holds one of its ports (or it said the
   * address was in use), moves those ports to new ones and re-wires; true when it should be started again.
   */
  recoverStolenPort(runner: ServiceRunner): Promise<boolean | StartFailure> {
    return this.serially(async () => {
      if (!this.ports || runner.service.announce) return false;
      const stolen = await stolenPorts(runner);
      if (stolen.length === 0) return false;
      return this.moveStolen(runner, stolen);
    });
  }

  /**
   * After `runner` exited while the stack was starting, having been healthy (another process answered its
   * health check on a port it never got, say): when its port was stolen, moves it and starts it again, with
   * what refers to it; true when that worked.
   */
  recoverAfterHealthy(runner: ServiceRunner): Promise<boolean | StartFailure> {
    return this.serially(async () => {
      if (!this.ports || runner.service.announce || runner.stopCalled) return false;
      const stolen = await stolenPorts(runner);
      return stolen.length === 0 ? false : this.moveAndRelaunch(runner, stolen);
    });
  }

  /**
   * After `runner` is healthy: restarts every service of its instance that is up and still runs with ports that
   * changed while it was starting (its own, or those of services it refers to), in start order.
   */
  refresh(runner: ServiceRunner): Promise<void> {
    return this.serially(() => this.restartAll(this.stale(runner.service.instance)));
  }

  /** Moves `stolen` ports and starts `runner` on the new ones, as long as they get stolen too (a few times). */
  private async moveAndRelaunch(runner: ServiceRunner, stolen: StolenPort[]): Promise<true | StartFailure> {
    for (let taken = stolen; taken.length > 0;) {
      const moved = await this.moveStolen(runner, taken);
      if (moved !== true) return moved;
      try {
        await runner.relaunch();
        taken = await foreignHeld(runner);
      } catch (error) {
        taken = runner.exitStatus === undefined ? [] : await stolenPorts(runner);
        if (taken.length === 0) return error instanceof StartFailure ? error : new StartFailure(String(error));
      }
    }
    try {
      await this.restartAll(this.stale(runner.service.instance));
    } catch (error) {
      return error instanceof StartFailure ? error : new StartFailure(String(error));
    }
    return true;
  }

  /**
   * Moves stolen ports of `runner` to new ones; a failure after too many moves. What refers to them is restarted
   * once the service runs on the new ones (`refresh`).
   */
  private async moveStolen(runner: ServiceRunner, stolen: StolenPort[]): Promise<true | StartFailure> {
    if (runner.portMoves >= MAX_PORT_MOVES) {
      const taken = stolen.map((port) => `${port.port}${port.holder ? ` (now held by ${port.holder})` : ""}`).join(", ");
      return new StartFailure(`could not keep a port: another process took its port as it started, ${MAX_PORT_MOVES + 1} times in a row; last ${taken}`);
    }
    runner.portMoves++;
    const ports = this.ports as PortBook;
    for (const { name, port, holder } of stolen) {
      const next = await this.move(runner, name, port);
      await ports.release([port]);
      const event: StackEvent = { type: "port", service: runner.id, name, port: next, previous: port, reason: "stolen", restarting: [] };
      if (holder) event.holder = holder;
      runner.service = this.render(runner);
      if (runner.service.url) event.url = runner.service.url;
      event.restarting = ids(this.affected(runner));
      this.emit(event);
    }
    return true;
  }

  /** Restarts `runner` (on new ports with `newPort`), then what refers to a port that changed. */
  restart(runner: ServiceRunner, newPort: boolean): Promise<RestartReport> {
    return this.serially(async () => {
      const report: RestartReport = { service: runner.id, moved: [], restarted: [] };
      if (newPort) {
        if (runner.service.announce) throw new Error(`${runner.id} announces its own port: restart it without --new-port`);
        if (Object.keys(runner.service.ports).length === 0) throw new Error(`${runner.id} has no port (\`port: none\`)`);
        if (!this.ports) throw new Error("this stack cannot allocate ports");
        for (const [name, port] of Object.entries(runner.service.ports)) report.moved.push({ name, from: port, to: await this.move(runner, name, port) });
      }
      await runner.relaunch();
      if (report.moved.length === 0) return report;
      await this.ports?.release(report.moved.map((move) => move.from));
      const affected = this.affected(runner);
      for (const move of report.moved) {
        const event: StackEvent = {
          type: "port",
          service: runner.id,
          name: move.name,
          port: move.to,
          previous: move.from,
          reason: "restart",
          restarting: ids(affected),
        };
        if (runner.service.url) event.url = runner.service.url;
        this.emit(event);
      }
      await this.restartAll(affected);
      report.restarted = ids(affected);
      return report;
    });
  }

  /** Allocates a new port in place of `port` (never `port` itself) and records it in the wiring. */
  private async move(runner: ServiceRunner, name: string, port: number): Promise<number> {
    const next = await (this.ports as PortBook).allocate(`${runner.id} (${name})`, [port]);
    this.wiring.ports[portKey(runner.service.instance, runner.service.name, name)] = next;
    return next;
  }

  /** The services of `runner`'s instance, but `runner`, that run with ports that changed since, in start order. */
  private affected(runner: ServiceRunner): ServiceRunner[] {
    return this.stale(runner.service.instance).filter((other) => other !== runner);
  }

  /**
   * The services of `instance` that are up (healthy once) and whose command or environment would change if
   * rendered now, in start order. One still starting is not interrupted: `refresh` restarts it once it is up.
   */
  private stale(instance: number): ServiceRunner[] {
    return this.runners.filter(
      (other) =>
        other.service.instance === instance &&
        other.isRunning &&
        other.healthyAt !== undefined &&
        !sameWiring(other.service, this.render(other), this.announcedVariables),
    );
  }

  /** Restarts each in turn, each healthy before the next (they are in start order, so dependencies go first). */
  private async restartAll(runners: readonly ServiceRunner[]): Promise<void> {
    for (const runner of runners) await runner.relaunch();
  }

  private render(runner: ServiceRunner): PlannedService {
    return renderService(this.wiring, runner.service.name, runner.service.instance);
  }

  private serially<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }
}

function ids(runners: readonly ServiceRunner[]): string[] {
  return runners.map((runner) => runner.id);
}

/**
 * Whether a service rendered again (`next`) runs the same command with the same environment as it does now.
 * A variable of `learned` it did not have is no difference: the `<SVC>_PORT` of a service that announced its
 * port after this one started (nothing made this one wait for it) is not worth a restart.
 */
export function sameWiring(current: PlannedService, next: PlannedService, learned: ReadonlySet<string>): boolean {
  if (JSON.stringify([current.command, current.cwd]) !== JSON.stringify([next.command, next.cwd])) return false;
  for (const [key, value] of Object.entries(next.env)) {
    if (current.env[key] !== value && !(current.env[key] === undefined && learned.has(key))) return false;
  }
  return Object.keys(current.env).every((key) => key in next.env);
}
