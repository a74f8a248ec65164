import { shellQuote } from "../util/shell-quote.js";
import type { ExportedHealth } from "./model.js";

/** A duration as Go writes it (compose, Kubernetes' tools and Nomad read it): `500ms`, `30s`, `1m30s`, `1h`. */
export function engineDuration(ms: number): string {
  if (ms === 0) return "0s";
  const parts: string[] = [];
  let rest = Math.round(ms);
  for (const [unit, size] of [
    ["h", 3_600_000],
    ["m", 60_000],
    ["s", 1000],
    ["ms", 1],
  ] as const) {
    const count = Math.floor(rest / size);
    if (count > 0) parts.push(`${count}${unit}`);
    rest -= count * size;
  }
  return parts.join("");
}

/** A health check as a command run inside the service's container: argv, or a script for `/bin/sh -c`. */
export type Probe = ({ shell: true; script: string } | { shell: false; argv: string[] }) & {
  /** The programs the image must have for it, in words for a warning. */
  needs?: string;
};

/**
 * portmate's http and tcp checks as commands for engines that only run commands in the container (compose's
 * healthcheck): curl or wget for http, nc for tcp. A command check is itself.
 */
export function healthProbe(health: Extract<ExportedHealth, { kind: "http" | "tcp" | "command" }>): Probe {
  switch (health.kind) {
    case "http": {
      const url = shellQuote(`http://127.0.0.1:${health.port.port}${health.path}`);
      return { shell: true, script: `curl -fsS -o /dev/null ${url} || wget -q -O /dev/null ${url}`, needs: "curl or wget" };
    }
    case "tcp":
      return { shell: true, script: `nc -z 127.0.0.1 ${health.port.port}`, needs: "nc" };
    case "command":
      return health.command.shell ? { shell: true, script: health.command.script } : { shell: false, argv: health.command.argv };
  }
}
