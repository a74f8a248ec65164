// The stack every contender of the peer benchmarks runs: the demo of portmate.yaml (examples/demo: backend,
// ui, admin; ui and admin wait for the backend's /health), each service behind a wrapper shell that does not
// exec it (`sh -c 'PMBENCH=TOKEN … node examples/demo/x.js …; exit'`, like `npm run` stays as a parent). So
// every service is two processes, the wrapper and the real server as its child: a tool that stops only its
// direct children leaves the servers running. Every contender gets the same wrapper commands, each in the
// form its configuration takes (portmate.yaml, Procfile, pm2 ecosystem file, concurrently arguments).
//
// TOKEN is new for every run of a contender: it is in each wrapper's command line and each server's
// environment, so bench/processes.mjs finds what a run left behind by scanning /proc.
import { stringify as stringifyYaml } from "yaml";
import { healthy, passes } from "./probes.mjs";
import { ROOT } from "./util.mjs";

export const MARK = "PMBENCH";
const url = (port) => `http://127.0.0.1:${port}`;

/** The wrapper command of one service: variables and the server as the shell's child; `; exit` keeps sh. */
function wrapped(token, env, script) {
  const assignments = Object.entries({ [MARK]: token, ...env }).map(([name, value]) => `${name}=${value}`);
  return `${assignments.join(" ")} node examples/demo/${script}; exit`;
}

/**
 * One instance for the peers, on ports [backend, ui, admin, metrics] chosen by the harness. Each service:
 * its name, wrapper command, port and the health check portmate.yaml gives it (`path`: HTTP; none: TCP).
 */
function demoInstance(token, [backend, ui, admin, metrics]) {
  return [
    { name: "backend", command: wrapped(token, { PORT: backend }, `backend.js --port ${backend}`), port: backend, path: "/health" },
    { name: "ui", command: wrapped(token, { PORT: ui, API_URL: url(backend) }, "ui.js"), port: ui },
    {
      name: "admin",
      command: wrapped(token, { PORT: admin, METRICS_PORT: metrics, BACKEND_URL: url(backend), UI_URL: url(ui) }, "admin.js"),
      port: admin,
      path: "/status.json",
      also: [metrics],
    },
  ];
}

/** As many instances as `ports` has fours of ports: a list of instances, each a list of services. */
export function stackOf(token, ports) {
  const instances = [];
  for (let index = 0; index + 4 <= ports.length; index += 4) instances.push(demoInstance(token, ports.slice(index, index + 4)));
  return instances;
}

/** Every port of the stack, the admin's metrics port included. */
export function stackPorts(instances) {
  return instances.flat().flatMap((service) => [service.port, ...(service.also ?? [])]);
}

/** Each service with a name unique in the stack: `backend`, then `backend2`… for the other instances. */
export function named(instances) {
  return instances.flatMap((services, index) => services.map((service) => ({ ...service, name: index ? `${service.name}${index + 1}` : service.name })));
}

/** portmate.yaml of the stack: the same wrappers and health checks; ports and wiring are portmate's. */
export function portmateConfig(token) {
  const service = (script, extra) => ({ command: wrapped(token, {}, script), shell: true, cwd: ROOT, ...extra });
  const config = {
    name: "bench",
    ports: { range: "8000-9000" },
    services: {
      backend: service("backend.js --port ${port}", { port: 8000, health: { http: "/health" } }),
      ui: service("ui.js", { depends_on: ["backend"], env: { API_URL: "${services.backend.url}" } }),
      admin: service("admin.js", {
        depends_on: { backend: "healthy", ui: "started" },
        ports: { http: "auto", metrics: "auto" },
        env: { METRICS_PORT: "${ports.metrics}" },
        health: { http: "/status.json" },
      }),
    },
  };
  return stringifyYaml(config);
}

/** A Procfile (node-foreman) with one entry per service of every instance. */
export function procfile(instances) {
  return named(instances)
    .map((service) => `${service.name}: ${service.command}\n`)
    .join("");
}

/** A pm2 ecosystem file: each service the wrapper shell itself (`interpreter: none`), never restarted. */
export function ecosystem(instances, suffix) {
  const apps = named(instances).map((service) => ({
    name: `${service.name}-${suffix}`,
    script: "/bin/sh",
    args: ["-c", service.command],
    interpreter: "none",
    cwd: ROOT,
    autorestart: false,
  }));
  return `module.exports = ${JSON.stringify({ apps }, null, 2)};\n`;
}

/**
 * concurrently's arguments for the stack. With `waitOn`, ui and admin wait for the backend's /health with
 * wait-on first (`wait-on http-get://… && …`), as its README shows; `waitOn.interval` is its `-i` (ms).
 */
export function concurrentlyArgs(instances, waitOn) {
  const services = named(instances);
  const commands = instances.flatMap(([backend, ...dependents]) => [
    backend.command,
    ...dependents.map((service) => {
      if (!waitOn) return service.command;
      const interval = waitOn.interval ? `-i ${waitOn.interval} ` : "";
      return `wait-on ${interval}http-get://127.0.0.1:${backend.port}${backend.path} && ${service.command}`;
    }),
  ]);
  return ["-n", services.map((service) => service.name).join(","), ...commands];
}

/**
 * Resolves once every service of every instance passes its health check, each polled every 10 ms in order;
 * rejects once `signal` aborts.
 */
export async function untilHealthy(instances, signal) {
  await Promise.all(
    instances.map(async (services) => {
      for (const service of services) await healthy(service, signal);
    }),
  );
}

/** Whether every service passes its health check now. */
export async function healthyNow(instances) {
  const results = await Promise.all(instances.flat().map(passes));
  return results.every(Boolean);
}
