import { basename } from "node:path";
import { DEFAULT_PORT_NAME, RESTART_RESET_AFTER_MS, type PortmateConfig, type ServiceConfig } from "../config/types.js";
import { engineDuration } from "./engine-health.js";
import type { ExportResult } from "./result.js";
import { nomadHcl } from "./nomad-hcl.js";
import { nanoseconds, type NomadCheck, type NomadGroup, type NomadJob, type NomadService, type NomadTask } from "./nomad-job.js";
import { argvOf, exportStack, type ExportedService, type ExportedStack, type ExportTarget } from "./model.js";

/** Nomad refuses checks more often than this, and shorter check timeouts. */
const MIN_CHECK_MS = 1000;
/** The longest `kill_timeout` a Nomad client honours unless its `max_kill_timeout` says otherwise. */
const CLIENT_MAX_KILL_TIMEOUT_MS = 30_000;

/**
 * One Nomad port label per port of a service: the service's name for its `port:`, `SERVICE_NAME` for a named
 * port, with what Nomad does not allow in a label (it becomes part of `NOMAD_PORT_<label>`) made `_`.
 */
export function nomadPortLabels(services: readonly ServiceConfig[]): Map<string, string> {
  const labels = new Map<string, string>();
  const used = new Set<string>();
  for (const service of services) {
    for (const port of service.ports) {
      const base = (port.name === DEFAULT_PORT_NAME ? service.name : `${service.name}_${port.name}`).replace(/[^A-Za-z0-9_]/g, "_");
      let label = base;
      for (let suffix = 2; used.has(label); suffix++) label = `${base}_${suffix}`;
      used.add(label);
      labels.set(labelKey(service.name, port.name), label);
    }
  }
  return labels;
}

function labelKey(service: string, port: string): string {
  return `${service}/${port}`;
}

/**
 * In a Nomad group every task sees every port of the group: `NOMAD_PORT_<label>` is the port to listen on and
 * `NOMAD_ADDR_<label>` the client's address and that port, where the other tasks reach it. Nomad fills them in
 * when the task starts, so they stay `${…}` in the job.
 */
export function nomadTarget(labels: ReadonlyMap<string, string>): ExportTarget {
  const label = (service: string, port: string) => labels.get(labelKey(service, port)) ?? `${service}_${port}`;
  return {
    host: "0.0.0.0",
    address: {
      port: (service, port) => `\${NOMAD_PORT_${label(service, port)}}`,
      url: (service, port) => `http://\${NOMAD_ADDR_${label(service, port)}}`,
    },
    hostNote:
      "`${host}` is 0.0.0.0 in the Nomad job: the other tasks reach a service at the client's address (NOMAD_ADDR_<label>), not on loopback, so it listens on every interface",
  };
}

/** `portmate export nomad`: one job, one group per instance, as Nomad's JSON job or as an HCL jobspec. */
export function exportNomad(config: PortmateConfig, services: ServiceConfig[], instances: number, format: "json" | "hcl"): ExportResult {
  const labels = nomadPortLabels(services);
  const target = nomadTarget(labels);
  const stacks: ExportedStack[] = [];
  for (let instance = 1; instance <= instances; instance++) stacks.push(exportStack(config, instance, target, services));
  const { job, warnings } = toNomadJob(stacks, labels);
  const name = `${job.ID}.nomad.${format}`;
  if (format === "json") return { files: [{ name, text: `${JSON.stringify({ Job: job }, null, 2)}\n` }], warnings };
  const header = `# Nomad job of ${basename(config.file)} (project ${config.project}), written by \`portmate export nomad --format hcl\`.\n`;
  const hcl = nomadHcl(job);
  return { files: [{ name, text: header + hcl.text }], warnings: [...warnings, ...hcl.warnings] };
}

/**
 * The job: named after the project, a group per instance (`instance-2`…) holding every service as a task, so
 * that each instance has ports of its own and the tasks of an instance find each other through Nomad's port
 * variables. A group rather than `count = N`: `${instance}` is 1, 2… in each copy, which NOMAD_ALLOC_INDEX (0, 1…)
 * cannot give in a template.
 */
export function toNomadJob(stacks: readonly ExportedStack[], labels: ReadonlyMap<string, string>): { job: NomadJob; warnings: string[] } {
  const warnings: string[] = [];
  const [first] = stacks;
  const id = jobId(first?.project ?? "portmate");
  const groups = stacks.map((stack) => {
    warnings.push(...stack.warnings);
    return nomadGroup(stack, labels, warnings);
  });
  if (first) warnings.push(...stackWarnings(first));
  return { job: { ID: id, Name: id, Type: "service", Datacenters: ["*"], TaskGroups: groups }, warnings };
}

/** Nomad's job IDs and service names: lower case letters, digits and dashes. */
function jobId(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, "-")
      .replace(/^-+|-+$/g, "") || "portmate"
  );
}

function nomadGroup(stack: ExportedStack, labels: ReadonlyMap<string, string>, warnings: string[]): NomadGroup {
  const prestart = prestartTasks(stack.services);
  const label = (service: ExportedService, port: string) => labels.get(labelKey(service.name, port)) ?? port;
  const ports = stack.services.flatMap((service) => service.ports.map((port) => ({ Label: label(service, port.name) })));
  const prefix = stack.instance === 1 ? stack.project : `${stack.project}-${stack.instance}`;
  const tasks = stack.services.map((service) => {
    const task = nomadTask(service, warnings);
    if (prestart.has(service.name)) task.Lifecycle = { Hook: "prestart", Sidecar: false };
    const primary = service.ports[0];
    const portLabel = primary ? label(service, primary.name) : "";
    // A service without a port has no Nomad service, so no check either: only http and tcp checks need a port.
    const check = nomadCheck(service, (name) => label(service, name), portLabel, warnings);
    if (primary) {
      const nomadService: NomadService = { Name: jobId(`${prefix}-${service.name}`), PortLabel: portLabel, Provider: "nomad" };
      if (check) nomadService.Checks = [check];
      task.Services = [nomadService];
    }
    return task;
  });
  dependencyWarnings(stack.services, prestart, warnings);
  return {
    Name: `instance-${stack.instance}`,
    Count: 1,
    ...(ports.length ? { Networks: [{ DynamicPorts: ports }] } : {}),
    // portmate never moves a stack that failed elsewhere; Nomad would place the group again, forever.
    ReschedulePolicy: { Attempts: 0, Unlimited: false },
    Tasks: tasks,
  };
}

function nomadTask(service: ExportedService, warnings: string[]): NomadTask {
  const argv = argvOf(service.command);
  const [command = "", ...args] = argv;
  let config: NomadTask["Config"];
  if (service.image) {
    // The host's network, as portmate runs it: the port a service listens on is the one the others reach.
    config = { image: service.image, command, args, network_mode: "host" };
    if (service.build) warnings.push(`${service.name}: Nomad builds no image: build ${service.build.context} as ${service.image} where the clients pull from`);
  } else {
    config = { command, args, work_dir: service.hostCwd };
    warnings.push(
      `${service.name}: has no \`image\`, so it runs on the Nomad client with the raw_exec driver (off unless the client enables it), in ${service.hostCwd}: the client needs the same files there`,
    );
  }
  if (service.envFiles.length)
    warnings.push(`${service.name}: Nomad reads no env file: ${service.envFiles.join(", ")} is left out (put the variables in \`env:\`)`);
  const strings = [...argv, ...Object.values(service.env)];
  if (strings.some((text) => text.replace(/\$\{NOMAD_[A-Za-z0-9_]+\}/g, "").includes("${")))
    warnings.push(
      `${service.name}: Nomad reads \`\${NAME}\` in its command and env as a runtime variable when NAME is one (a task's env, NOMAD_…): there is no escape`,
    );
  if (service.stopTimeoutMs > CLIENT_MAX_KILL_TIMEOUT_MS)
    warnings.push(
      `${service.name}: its stop_timeout (${engineDuration(service.stopTimeoutMs)}) is past the ${engineDuration(CLIENT_MAX_KILL_TIMEOUT_MS)} a Nomad client allows unless its max_kill_timeout is raised`,
    );
  return {
    Name: service.name,
    Driver: service.image ? "docker" : "raw_exec",
    Config: config,
    Env: service.env,
    KillSignal: service.stopSignal,
    KillTimeout: nanoseconds(service.stopTimeoutMs),
    RestartPolicy: restartPolicy(service, warnings),
  };
}

/**
 * portmate restarts `on-failure` and `always` with growing delays, up to a count in a row; Nomad with a fixed
 * delay, up to a count in an interval, and in a service job also after an exit with 0. `no` is no attempt.
 */
function restartPolicy(service: ExportedService, warnings: string[]): NomadTask["RestartPolicy"] {
  const { policy, maxRestarts, delayMs, maxDelayMs } = service.restart;
  if (policy === "no") return { Attempts: 0, Interval: nanoseconds(RESTART_RESET_AFTER_MS), Delay: nanoseconds(delayMs), Mode: "fail" };
  const intervalMs = maxRestarts * delayMs + RESTART_RESET_AFTER_MS;
  warnings.push(
    `${service.name}: Nomad restarts it at most ${maxRestarts} times in ${engineDuration(intervalMs)}, ${engineDuration(delayMs)} apart, without portmate's growing delay (up to ${engineDuration(maxDelayMs)})${policy === "on-failure" ? ", and also when it exits with 0" : ""}`,
  );
  return { Attempts: maxRestarts, Interval: nanoseconds(intervalMs), Delay: nanoseconds(delayMs), Mode: "fail" };
}

/** Nomad's own service checks are http and tcp; the others are said and left out. */
function nomadCheck(service: ExportedService, label: (port: string) => string, servicePort: string, warnings: string[]): NomadCheck | undefined {
  const { health } = service;
  switch (health.kind) {
    case "none":
      return undefined;
    case "log":
      warnings.push(`${service.name}: its \`log\` health check (/${health.pattern}/) has no Nomad equivalent and is left out`);
      return undefined;
    case "command":
      warnings.push(`${service.name}: its \`command\` health check is left out: Nomad's own service checks are http and tcp (script checks need Consul)`);
      return undefined;
  }
  if (health.intervalMs < MIN_CHECK_MS)
    warnings.push(
      `${service.name}: checked every ${engineDuration(MIN_CHECK_MS)} (Nomad's shortest interval) instead of every ${engineDuration(health.intervalMs)}`,
    );
  if (health.kind === "http" && health.status !== undefined)
    warnings.push(`${service.name}: Nomad's http check passes on any 2xx status, not only on ${health.status}`);
  if (health.liveness)
    warnings.push(`${service.name}: its \`liveness\` is left out: Nomad restarts a task for failing its check only with a check_restart block`);
  const portLabel = label(health.port.name);
  return {
    Type: health.kind,
    ...(portLabel === servicePort ? {} : { PortLabel: portLabel }),
    ...(health.kind === "http" ? { Path: health.path } : {}),
    Interval: nanoseconds(Math.max(health.intervalMs, MIN_CHECK_MS)),
    Timeout: nanoseconds(Math.min(Math.max(health.intervalMs, MIN_CHECK_MS), 10_000)),
  };
}

/** One-off tasks that another service waits for with `completed`: Nomad runs them first, as prestart tasks. */
function prestartTasks(services: readonly ExportedService[]): Set<string> {
  const jobs = new Set(services.filter((service) => service.job).map((service) => service.name));
  return new Set(
    services.flatMap((service) => service.dependsOn.filter((dep) => dep.condition === "completed" && jobs.has(dep.service)).map((dep) => dep.service)),
  );
}

/** Nomad starts the main tasks of a group together: only `completed` on a one-off task is carried over. */
function dependencyWarnings(services: readonly ExportedService[], prestart: ReadonlySet<string>, warnings: string[]): void {
  for (const service of services) {
    for (const dep of service.dependsOn) {
      if (prestart.has(service.name)) {
        warnings.push(`${service.name}: runs before every other task of its group (a prestart task), so it cannot wait for ${dep.service}`);
      } else if (prestart.has(dep.service)) {
        continue;
      } else if (dep.condition === "completed") {
        warnings.push(
          `${service.name}: waits for ${dep.service} to complete, which Nomad runs first only for a one-off task (no port, no check): they start together`,
        );
      } else {
        warnings.push(
          `${service.name}: starts together with ${dep.service}, not once it is ${dep.condition === "healthy" ? "healthy" : "started"}: Nomad starts the main tasks of a group at once`,
        );
      }
    }
  }
}

/** What holds for the whole stack, said once. */
function stackWarnings(stack: ExportedStack): string[] {
  const warnings: string[] = [];
  const prestart = prestartTasks(stack.services);
  const once = stack.services.filter((service) => service.restart.policy === "no" && !prestart.has(service.name)).map((service) => service.name);
  if (once.length)
    warnings.push(
      `${once.join(", ")}: \`restart: no\`: once ${once.length === 1 ? "it exits" : "one exits"}, Nomad counts the task as failed and stops the other tasks of its group`,
    );
  const checked = stack.services.filter((service) => service.health.kind === "http" || service.health.kind === "tcp").map((service) => service.name);
  if (checked.length)
    warnings.push(
      `${checked.join(", ")}: Nomad keeps checking without portmate's deadline to become healthy (\`health.timeout\`), and nothing waits for the checks`,
    );
  warnings.push("every task gets Nomad's default resources (100 MHz of CPU, 300 MB of memory): portmate sets none");
  return warnings;
}
