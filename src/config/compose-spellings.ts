import type { ConfigPath } from "./source.js";

// What people type coming from docker compose, and the portmate way, in one line each: an unknown key that is
// compose's spelling is told so, rather than only "unknown key".

const SERVICE_KEYS: Readonly<Record<string, string>> = {
  environment: 'portmate says `env:`, a map: `env: {DEBUG: "1"}`',
  working_dir: "portmate says `cwd:`, relative to this file",
  healthcheck: "portmate says `health:`, one check: `health: {http: /health}`, `{tcp: true}` or `{command: pg_isready}`",
  entrypoint: "portmate says `command:`, with `args:` for more arguments",
  container_name: "a service's name is its key under `services:`",
  expose: "portmate says `port: 8000` (a preference) or `port: auto`; the service gets its port as `${port}` and $PORT",
  volumes: "services run on this machine and see its files: nothing to mount (`portmate export` output can add volumes)",
  networks: "services reach each other on 127.0.0.1, through `${services.NAME.url}` and <NAME>_PORT: no networks",
  links: "portmate says `depends_on:`; services find each other through `${services.NAME.url}`",
  env_files: "portmate says `env_file:` (one file or a list)",
};

const TOP_KEYS: Readonly<Record<string, string>> = {
  version: "portmate.yaml has no version: remove it",
  volumes: "services run on this machine and see its files: nothing to declare",
  networks: "services reach each other on 127.0.0.1: nothing to declare",
};

const HEALTH_KEYS: Readonly<Record<string, string>> = {
  test: "portmate says `command:` (`health: {command: pg_isready}`), or `http: /path` or `tcp: true`",
  retries: "portmate waits until `timeout:` (default 30s) rather than counting retries",
  start_period: "portmate's `timeout:` is counted from the service's start",
};

/** The portmate way of a compose key found unknown at `path` (where it was found), or undefined when it is none of compose's. */
export function composeSpelling(path: ConfigPath, key: string): string | undefined {
  const keys =
    path.length === 0
      ? TOP_KEYS
      : path.length === 2 && path[0] === "services"
        ? SERVICE_KEYS
        : path.length === 3 && path[0] === "services" && path[2] === "health"
          ? HEALTH_KEYS
          : {};
  // Own keys only: `__proto__` or `toString` is no compose key.
  return Object.hasOwn(keys, key) ? keys[key] : undefined;
}

/**
 * Compose's `ports: ["8000:8000"]` on a service, said the portmate way: `port: 8000` (the port the service
 * listens on, from the mapping's last part), or `ports: {http: 8000, …}` for several.
 */
export function composePorts(value: unknown): string | undefined {
  if (!Array.isArray(value) || value.length === 0) return undefined;
  const ports = value.map((entry) => /(\d+)(?:\/\w+)?$/.exec(String(entry))?.[1]).filter((port): port is string => port !== undefined);
  if (ports.length !== value.length) return undefined;
  const suggestion = ports.length === 1 ? `\`port: ${ports[0]}\`` : `\`ports: {${ports.map((port, index) => `p${index + 1}: ${port}`).join(", ")}}\``;
  return `portmate's \`ports:\` is a map, not compose's list: ${suggestion} (a preference: another port is taken when it is busy; the service gets it as \`\${port}\` and $PORT)`;
}
