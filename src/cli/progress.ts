import { Listr, ListrLogger, type ListrTask } from "listr2";
import { formatDuration } from "../duration.js";
import type { PlannedService } from "../plan.js";
import { describePortEvent, type StackEvent, type StackListener } from "../supervise/events.js";
import { formatPorts } from "./table.js";

/** How a service's start ended, as its task shows it. */
type Outcome = { kind: "healthy"; title: string } | { kind: "failed"; reason: string } | { kind: "skipped"; reason: string };

/**
 * The start-up progress of `portmate up`: one listr2 task per service of every instance, showing what it
 * waits for, its pid and port, its last line of output, and when it became healthy. Redrawn live on a
 * terminal, plain lines (listr2's simple renderer) elsewhere.
 */
export class StartProgress {
  private readonly settle = new Map<string, (outcome: Outcome) => void>();
  private readonly outcomes = new Map<string, Outcome>();
  private readonly titles = new Map<string, (title: string) => void>();
  private readonly outputs = new Map<string, (line: string) => void>();
  private readonly listr: Listr;

  /** The services as planned, with the ports they have now (announced, or moved since). */
  private readonly services: PlannedService[];

  /** `services`: what is started; `subscribe`: where its events come from (the stack, or a detached supervisor). */
  constructor(services: readonly PlannedService[], subscribe: (listener: StackListener) => void, fancy: boolean) {
    this.services = services.map((service) => ({ ...service, ports: { ...service.ports } }));
    const tasks: ListrTask[] = this.services.map((service) => ({
      title: service.id,
      task: (_ctx, task) =>
        new Promise<void>((resolve, reject) => {
          this.titles.set(service.id, (title) => (task.title = title));
          if (fancy) this.outputs.set(service.id, (line) => (task.output = line));
          const waits = service.dependsOn.map((dep) => dep.id);
          if (waits.length) task.title = `${service.id}: waiting for ${waits.join(", ")}`;
          const settle = (outcome: Outcome) => {
            if (outcome.kind === "healthy") {
              task.title = outcome.title;
              resolve();
            } else if (outcome.kind === "failed") {
              reject(new Error(`${service.id} ${outcome.reason}`));
            } else {
              task.skip(`${service.id}: ${outcome.reason}`);
              resolve();
            }
          };
          // listr2 runs task functions a tick after run(): an outcome may already be known.
          const early = this.outcomes.get(service.id);
          if (early) settle(early);
          else this.settle.set(service.id, settle);
        }),
    }));
    this.listr = new Listr(tasks, {
      concurrent: true,
      exitOnError: false,
      registerSignalListeners: false,
      renderer: "default",
      rendererOptions: { collapseErrors: false },
      fallbackRenderer: "simple",
      // Progress lines all go to stdout: stderr starts with the one clear line of the error, if any.
      fallbackRendererOptions: { logger: new ListrLogger({ useIcons: true, toStderr: [] }) },
      fallbackRendererCondition: !fancy,
    });
    subscribe((event) => this.onEvent(event));
  }

  /** Draws until every service is settled; resolves when the display is done. */
  async run(): Promise<void> {
    await this.listr.run();
  }

  /** Settles every service not yet settled (the start failed or was stopped). */
  finish(reason: string): void {
    for (const service of this.services) this.done(service.id, { kind: "skipped", reason });
  }

  private onEvent(event: StackEvent): void {
    switch (event.type) {
      case "spawned": {
        const service = this.services.find((planned) => planned.id === event.service);
        const ports = service ? formatPorts(service) : "-";
        this.titles.get(event.service)?.(`${event.service}: starting (pid ${event.pid}${ports === "-" ? "" : `, port ${ports}`})`);
        break;
      }
      case "output":
        this.outputs.get(event.service)?.(event.line);
        break;
      case "healthy": {
        const service = this.services.find((planned) => planned.id === event.service);
        const where = service?.url ? ` · ${service.url}` : "";
        this.done(event.service, { kind: "healthy", title: `${event.service}: ready in ${formatDuration(event.afterMs)}${where}` });
        break;
      }
      case "port": {
        const service = this.services.find((planned) => planned.id === event.service);
        if (service) {
          service.ports[event.name] = event.port;
          if (Object.keys(service.ports)[0] === event.name) service.port = event.port;
          if (event.url) service.url = event.url;
        }
        this.titles.get(event.service)?.(`${event.service}: ${describePortEvent(event)}`);
        break;
      }
      case "failed":
        this.done(event.service, { kind: "failed", reason: event.reason });
        break;
      case "skipped":
        this.done(event.service, { kind: "skipped", reason: "not started" });
        break;
      default:
        break;
    }
  }

  private done(id: string, outcome: Outcome): void {
    if (this.outcomes.has(id)) return;
    this.outcomes.set(id, outcome);
    this.settle.get(id)?.(outcome);
  }
}
