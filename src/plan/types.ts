import type { NameSettings } from "./hostnames.js";
import type { LivenessConfig, RawDependencyCondition, RestartConfig, ServiceConfig } from "../config/types.js";

/** A command ready to run: a program and its arguments, or a script for `/bin/sh -c`. */
export type PlannedCommand = { shell: false; file: string; args: string[] } | { shell: true; script: string };

export type PlannedHealth =
  | { kind: "http"; port: number; path: string; hosts: string[]; status?: number }
  | { kind: "tcp"; port: number; hosts: string[] }
  | { kind: "command"; command: PlannedCommand }
  | { kind: "log"; pattern: RegExp }
  | { kind: "none" };

/** One service of one instance, with everything filled in: what the supervisor runs. */
export interface PlannedService {
  /** `backend` for instance 1, `backend#2` for instance 2. */
  id: string;
  name: string;
  instance: number;
  command: PlannedCommand;
  cwd: string;
  /** The whole environment of the process: the config's base env, env files, injected and explicit variables. */
  env: Record<string, string>;
  /** Ports by name, primary first. */
  ports: Record<string, number>;
  /** The primary port, when the service has one (for a service that announces it, once it has). */
  port?: number;
  url?: string;
  /** Its stable name through the local proxy (`ui.demo.localhost`), when the project has `proxy:`. */
  hostname?: string;
  /** `http://ui.demo.localhost:1356`: its URL through the proxy, `${services.ui.named_url}`. */
  namedUrl?: string;
  /** The service chooses its port and announces it on stdout. */
  announce: boolean;
  /** `restart`: restarted after that one is restarted by a file change. */
  dependsOn: Array<{ id: string; condition: RawDependencyCondition; restart?: boolean }>;
  /** Services that announce their port and that this one refers to: it starts once they have announced. */
  waitsForAnnounced: string[];
  /** Its readiness check; with `liveness`, the same check keeps running once it is ready. */
  health: PlannedHealth & { intervalMs: number; timeoutMs: number; liveness?: LivenessConfig };
  restart: RestartConfig;
  stopSignal: NodeJS.Signals;
  stopTimeoutMs: number;
  /** Its public tunnel, when it has one switched on. */
  tunnel?: PlannedTunnel;
  /** Files that restart it when they change (`watch:`), with its rebuild command rendered. */
  watch?: PlannedWatch;
  /**
   * Discovery variables (`REDIS_URL`) portmate would have given it but did not, because the environment or an
   * env file sets them: what the user gave wins.
   */
  shadowed?: string[];
}

/** A service's `watch:`, ready to run: see WatchConfig. */
export interface PlannedWatch {
  /** The config's folder: what the paths are relative to. */
  root: string;
  paths: string[];
  ignore: string[];
  debounceMs: number;
  rebuild?: PlannedCommand;
  signal?: NodeJS.Signals;
}

/**
 * A public tunnel to one port of a service: a program to run (ssh, ngrok, any command) and how to read the public
 * URL from its output.
 */
export interface PlannedTunnel {
  provider: "ssh" | "ngrok" | "command";
  /** The local port it forwards to. */
  port: number;
  command: PlannedCommand;
  /** Finds the public address in the program's output (first group that matched, else the whole match). */
  urlPattern?: RegExp;
  /** The public URL, with `${found}` standing for what urlPattern found; by default what it found. */
  url?: string;
  /** The public URL when it is known before the program runs (no urlPattern). */
  publicUrl?: string;
  /** Picks the line that explains a failure out of the program's output (first group, else the line). */
  explain?: RegExp;
  /** Path requested through the tunnel and locally to verify it; null: not verified. */
  verifyPath: string | null;
  required: boolean;
  timeoutMs: number;
  /** Why it cannot be opened here, known before anything runs (ngrok without a token): it fails with this. */
  unavailable?: string;
  /** What to do when the program cannot be started (not installed). */
  hint?: string;
}

/** The whole stack to run: plain data, built without starting anything. */
export interface Plan {
  project: string;
  configFile: string;
  instances: number;
  /** Every service of every instance, each after what it depends on. */
  services: PlannedService[];
  /** The names of the config's services in the config's order: what gives each its colour in output. */
  serviceNames: string[];
  /** What the services were rendered from, to render them again when a port changes. */
  wiring: Wiring;
  /** How the config was read and which services were asked for: to read it again when it changes. */
  reload?: ReloadSettings;
}

/** How `up` read the config and chose the services (see stack/reload.ts). */
export interface ReloadSettings {
  /** The config file (absolute): the first, when several were merged. */
  file: string;
  /**
   * `-f` files, when given (absolute, merged in order). Absent: the config was found by its name, and is found so
   * again from its folder, with the portmate.override.yaml beside it when there is one then.
   */
  files?: string[];
  /** Its top-level env files (absolute): a change to one is a change of the config. */
  envFiles: string[];
  /** `-p`, when given. */
  projectName?: string;
  /** `--env-file`, when given (absolute): read instead of the `.env` beside the config. */
  dotenvFiles?: string[];
  /** The services named on the command line (none: every one not disabled, with `profiles`). */
  services: string[];
  /** The active profiles (`--profile`, `PORTMATE_PROFILES`); absent in a plan of an older portmate. */
  profiles?: string[];
  tunnels: string[];
  noTunnels: boolean;
  /** Files are watched (the services' `watch:`, the config itself); false with `--no-watch`. */
  watch: boolean;
}

/**
 * What the services of a plan are rendered from. The plan keeps it, so that a service can be rendered again
 * when a port changes after the start (a stolen port, `restart --new-port`, a port a service announced).
 */
export interface Wiring {
  project: string;
  /** Where ports are allocated, for ports allocated later. */
  range: { from: number; to: number };
  /** The environment every service starts from (the config's, with its env files). */
  env: Record<string, string>;
  /** What `${VAR}` reads: `env` over the `.env` (or `--env-file`) variables; `env` when not given. */
  variables?: Record<string, string>;
  /** The selected services, in start order. */
  services: ServiceConfig[];
  /** Every port by `portKey()`; a port a service announces appears once it has. */
  ports: Record<string, number>;
  /** URLs services announced, by `instance/service`. */
  urls: Record<string, string>;
  /** How services are named through the local proxy; undefined when the project has no `proxy:`. */
  names?: NameSettings;
}
