import { homeAbbreviated } from "../util/home-path.js";
import { recordedStacks } from "../state/recorded-stacks.js";
import type { StateLayout } from "../state/paths.js";
import type { ServiceRecord } from "../state/registry.js";

/** One service as the page shows it: no environment (that is asked for, with the token). */
export interface ServiceView {
  id: string;
  name: string;
  /** As recorded; `stale` when its supervisor died. */
  status: ServiceRecord["status"] | "stale";
  /** What its health check answered last, and when. */
  check: ServiceRecord["check"] | null;
  pid: number | null;
  port: number | null;
  ports: Record<string, number>;
  url: string | null;
  namedUrl: string | null;
  publicUrl: string | null;
  startedAt: string | null;
  restarts: number;
  exitCode: number | null;
  dependsOn: string[];
}

/** One running instance of a project. */
export interface StackView {
  project: string;
  instance: number;
  configFile: string;
  /** `configFile` as people write it: under their home, `~/…`. */
  configLabel: string;
  mode: "foreground" | "detached";
  /** False: its supervisor died (`stale` in `ps`). */
  alive: boolean;
  startedAt: string;
  services: ServiceView[];
}

/** Every stack of the user, by project then instance, as its record says now. */
export function stacksView(layout: StateLayout): StackView[] {
  return recordedStacks(layout).map(({ record, alive }) => ({
    project: record.project,
    instance: record.instance,
    configFile: record.configFile,
    configLabel: homeAbbreviated(record.configFile),
    mode: record.mode,
    alive,
    startedAt: record.startedAt,
    services: record.services.map((service) => ({
      id: service.id,
      name: service.name,
      status: alive ? service.status : "stale",
      check: service.check ?? null,
      // Stopped by `portmate stop`: its last pid is no process of the stack any more.
      pid: service.status === "stopped" ? null : service.pid,
      port: service.port,
      ports: service.ports,
      url: service.url,
      namedUrl: service.namedUrl ?? null,
      publicUrl: service.publicUrl ?? null,
      startedAt: service.startedAt,
      restarts: service.restarts,
      exitCode: service.exitCode,
      dependsOn: service.dependsOn ?? [],
    })),
  }));
}
