import type { RawDependencyCondition } from "../config/types.js";
import { engineDuration, healthProbe } from "./engine-health.js";
import { argvOf, type ExportedService, type ExportedStack, type ExportTarget } from "./model.js";

/** On a compose network a service is reached by its name, on the port it listens on in its container. */
export const COMPOSE_TARGET: ExportTarget = {
  host: "0.0.0.0",
  address: {
    port: (_service, _name, port) => String(port),
    url: (service, _name, port) => `http://${service}:${port}`,
  },
  hostNote: "`${host}` is 0.0.0.0 in the export: in a container a service must listen on every interface to be reached by the others",
};

const CONDITIONS: Record<RawDependencyCondition, string> = {
  started: "service_started",
  healthy: "service_healthy",
  completed: "service_completed_successfully",
};

/**
 * A compose file (as data) for one instance: project `NAME` (`NAME-2` for instance 2…), each service from its
 * image or build, its ports published on loopback (shifted by `portOffset` so instances do not clash), depends_on
 * with conditions, health checks as healthcheck (the deadline as start_period), stop signal and grace period.
 */
export function toCompose(stack: ExportedStack, portOffset: number): { document: Record<string, unknown>; warnings: string[] } {
  const warnings: string[] = [];
  const unhealthy = new Set(stack.services.filter((service) => !checkable(service)).map((service) => service.name));
  const services: Record<string, unknown> = {};
  for (const service of stack.services) services[service.name] = composeService(service, portOffset, unhealthy, warnings);
  const name = stack.instance === 1 ? stack.project : `${stack.project}-${stack.instance}`;
  return { document: { name, services }, warnings };
}

/** Whether compose can check the service's health (a `log` check it cannot). */
function checkable(service: ExportedService): boolean {
  return service.health.kind !== "log";
}

function composeService(service: ExportedService, portOffset: number, unhealthy: ReadonlySet<string>, warnings: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (service.image) out.image = service.image;
  if (service.build) {
    const { context, dockerfile, args } = service.build;
    out.build =
      dockerfile === undefined && Object.keys(args).length === 0
        ? context
        : { context, ...(dockerfile ? { dockerfile } : {}), ...(Object.keys(args).length ? { args } : {}) };
  }
  out.command = argvOf(service.command);
  if (service.envFiles.length) out.env_file = service.envFiles;
  out.environment = service.env;
  if (service.ports.length) out.ports = service.ports.map(({ port }) => `127.0.0.1:${port + portOffset}:${port}`);
  const dependsOn = Object.fromEntries(
    service.dependsOn.map((dep) => {
      let condition = CONDITIONS[dep.condition];
      if (dep.condition === "healthy" && unhealthy.has(dep.service)) {
        warnings.push(
          `${service.name}: waits for ${dep.service} to be healthy, which compose cannot check (a \`log\` check): it waits for it to start instead`,
        );
        condition = CONDITIONS.started;
      }
      // compose's own spelling: restarted when the service it depends on is.
      return [dep.service, dep.restart ? { condition, restart: true } : { condition }];
    }),
  );
  if (Object.keys(dependsOn).length) out.depends_on = dependsOn;
  const healthcheck = composeHealthcheck(service, warnings);
  if (healthcheck) out.healthcheck = healthcheck;
  // compose restarts a container whatever the reason it stopped, or not at all; portmate's count and delays stay behind.
  out.restart = service.restart.policy;
  if (service.restart.policy !== "no")
    warnings.push(`${service.name}: compose restarts it without portmate's delays and limit of ${service.restart.maxRestarts} restarts in a row`);
  out.stop_signal = service.stopSignal;
  out.stop_grace_period = engineDuration(service.stopTimeoutMs);
  if (service.cwd && (service.image || service.build))
    warnings.push(`${service.name}: runs in its image's working folder: \`cwd\` (${service.cwd}) is not carried over`);
  return out;
}

function composeHealthcheck(service: ExportedService, warnings: string[]): Record<string, unknown> | undefined {
  const { health } = service;
  if (health.kind === "none") return undefined;
  if (health.kind === "log") {
    warnings.push(`${service.name}: its \`log\` health check (/${health.pattern}/) has no compose equivalent and is left out`);
    return undefined;
  }
  const probe = healthProbe(health);
  if (probe.needs) warnings.push(`${service.name}: its health check runs ${probe.needs} inside the image`);
  // Compose keeps checking after start (its container turns unhealthy) but never restarts an unhealthy one.
  if (health.liveness)
    warnings.push(`${service.name}: compose marks its container unhealthy when its check fails, but does not restart it as \`liveness\` does`);
  return {
    test: probe.shell ? ["CMD-SHELL", probe.script] : ["CMD", ...probe.argv],
    interval: engineDuration(health.intervalMs),
    timeout: engineDuration(Math.min(Math.max(health.intervalMs, 1000), 10_000)),
    // portmate's deadline to become healthy: failures during it do not count, and then as many as fit in it.
    start_period: engineDuration(health.timeoutMs),
    retries: Math.max(1, Math.ceil(health.timeoutMs / health.intervalMs)),
  };
}
