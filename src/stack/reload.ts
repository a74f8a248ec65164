import { dirname } from "node:path";
import { ExitCode, PortmateError } from "../errors.js";
import { loadConfig } from "../config/load.js";
import { checkPrograms } from "../config/programs.js";
import type { PortmateConfig, ServiceConfig } from "../config/types.js";
import { portKey } from "../plan/names.js";
import { portRequests } from "../plan/port-requests.js";
import type { Reconfiguration, ReconfiguredService } from "../supervise/reconfigure.js";
import type { PortRequest } from "../ports/allocate.js";
import type { Plan } from "../plan/types.js";
import { defaultServices, selectedServices } from "../plan/select-services.js";

/** What of a running stack (a Stack) reloading needs. */
export interface ReloadableStack {
  readonly project: string;
  readonly plan: Plan;
  runningInstances(): number[];
  allocatePorts(requests: readonly PortRequest[], avoid: Iterable<number>): Promise<ReadonlyMap<string, number>>;
  reconfigure(next: Reconfiguration): Promise<ReconfiguredService[]>;
  releasePorts(ports: readonly number[]): Promise<void>;
}

/**
 * Reads the config of a running stack again, as `up` read it (same file, project name and services asked
 * for), and applies what changed (see supervise/reconfigure.ts). Ports are kept for every port whose request
 * did not change; a new service, or a changed preference (`port: 8123`), gets ports from one scan. An invalid
 * config throws ConfigError (`file:line:col: …`) and changes nothing.
 */
export async function reloadConfig(stack: ReloadableStack, more: readonly string[] = [], instanceCount?: number): Promise<ReconfiguredService[]> {
  const settings = stack.plan.reload;
  if (!settings) throw new PortmateError(`${stack.project} was not started from a config file: there is nothing to read again`, ExitCode.usage);
  const { config, missingPrograms } = loadConfig({
    ...(settings.files ? { file: settings.files } : { cwd: dirname(settings.file) }),
    ...(settings.projectName === undefined ? {} : { projectName: settings.projectName }),
    ...(settings.dotenvFiles === undefined ? {} : { envFiles: settings.dotenvFiles }),
  });
  if (config.project !== stack.project) {
    throw new PortmateError(`the project's name changed from ${stack.project} to ${config.project}: that is another stack`, ExitCode.usage, [
      `hint: \`portmate down -p ${stack.project}\`, then \`portmate up\``,
    ]);
  }
  const asked = withNamed(config, settings.services, more, settings.profiles);
  const services = selectedServices(config, { ...settings, services: asked });
  checkPrograms(
    missingPrograms,
    services.map((service) => service.name),
  );
  const wiring = stack.plan.wiring;
  const before = new Map(wiring.services.map((service) => [service.name, service]));
  const running = stack.runningInstances();
  const planned = stack.plan.instances;
  const count = instanceCount ?? planned;
  // More instances: new ones after those planned. One of those that was stopped (`down --instance`) is not
  // brought back this way.
  const missing = Array.from({ length: Math.min(count, planned) }, (_, index) => index + 1).filter((instance) => !running.includes(instance));
  if (count > planned && missing.length) {
    throw new PortmateError(`instance ${missing.join(", ")} of ${stack.project} was stopped: instances are added after the last one only`, ExitCode.usage, [
      `hint: \`portmate down\`, then \`portmate up -n ${count}\``,
    ]);
  }
  const added = Array.from({ length: Math.max(count - planned, 0) }, (_, index) => planned + index + 1);
  const instances = [...running, ...added];
  const kept: Record<string, number> = {};
  const requests = portRequests(services, Math.max(...instances, 1)).filter((request) => {
    const [instance, name, portName] = request.key.split("/") as [string, string, string];
    if (!instances.includes(Number(instance))) return false;
    const port = wiring.ports[request.key];
    if (
      port === undefined ||
      !samePortRequest(
        before.get(name),
        services.find((service) => service.name === name),
        portName,
      )
    )
      return true;
    kept[request.key] = port;
    return false;
  });
  const fresh = await stack.allocatePorts(requests, Object.values(kept));
  const ports = { ...kept, ...Object.fromEntries(fresh) };
  const unused = Object.entries(wiring.ports)
    .filter(([key, port]) => !(key in ports) && !Object.values(ports).includes(port) && instances.includes(Number(key.split("/")[0])))
    .map(([, port]) => port);
  const report = await stack.reconfigure({
    services,
    env: config.env,
    variables: config.variables,
    ports,
    serviceNames: [...config.services.keys()],
    instances: Math.max(count, planned),
  });
  // What the next read starts from, once this one is applied.
  settings.services = asked;
  settings.envFiles = config.envFiles;
  await stack.releasePorts(unused);
  return report;
}

/**
 * The services asked for, with `more` named on a later `up`: none asked (every one not disabled) and some
 * named is every one not disabled and those.
 */
function withNamed(config: PortmateConfig, asked: readonly string[], more: readonly string[], profiles: readonly string[] = []): string[] {
  if (more.length === 0) return [...asked];
  const base = asked.length ? asked : defaultServices(config, profiles);
  return [...new Set([...base, ...more])];
}

/** Whether a port of a service asks for the same as before: then it keeps the port it has. */
function samePortRequest(before: ServiceConfig | undefined, after: ServiceConfig | undefined, portName: string): boolean {
  const was = before?.ports.find((port) => port.name === portName);
  const is = after?.ports.find((port) => port.name === portName);
  return was !== undefined && is !== undefined && was.preferred === is.preferred && before?.strict === after?.strict && !before?.announce && !after?.announce;
}
