import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { acceptsConnections } from "../ports/probe.js";
import { leftDaemons } from "../ports/left-daemons.js";
import type { ServiceRunner } from "./service-runner.js";

/** How long a service that exited with code 0 before it was healthy is given to show a daemon on its port. */
const DAEMON_WAIT_MS = 1000;

/** How to keep known servers in the foreground, by program name. */
const FOREGROUND: Record<string, string> = {
  "redis-server": "--daemonize no",
  nginx: "-g 'daemon off;'",
  memcached: "no -d",
  mongod: "no --fork",
  "php-fpm": "--nodaemonize",
  httpd: "-D FOREGROUND",
  apache2: "-D FOREGROUND",
};

/**
 * For a service that exited before it was healthy: when what it left listens on its port, it daemonized itself,
 * which portmate cannot follow. `; it left pid 4242 (redis-server) listening on its port: …`, or nothing.
 */
export async function daemonHint(runner: ServiceRunner): Promise<string> {
  const ports = Object.values(runner.service.ports);
  if (runner.exitStatus?.code !== 0 || runner.root === undefined || ports.length === 0) return "";
  // A service that exited with code 0 before it was healthy may have forked a daemon that is still binding.
  const deadline = Date.now() + DAEMON_WAIT_MS;
  while (Date.now() < deadline && !(await Promise.all(ports.map((port) => acceptsConnections(port)))).some(Boolean)) await sleep(50);
  const daemons = await leftDaemons(ports, runner.root.startTime);
  const [first] = daemons;
  if (!first) return "";
  const command = processCommand(first.pid);
  const program = basename(command.split(" ")[0] ?? "");
  const how = FOREGROUND[program] ? ` (${program}: ${FOREGROUND[program]})` : "";
  return `; it left pid ${first.pid}${command ? ` (${command})` : ""} listening on its port: it daemonized itself, which portmate cannot follow, so it was stopped — run it in the foreground${how}`;
}

/** A process's command line, one line, or "" when it cannot be read. */
function processCommand(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean).join(" ");
  } catch {
    return "";
  }
}
