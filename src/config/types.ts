/**
 * Two views of portmate.yaml: `Raw*` is what the schema sees (every key optional, shorthands allowed),
 * `*Config` is what the rest of portmate reads (defaults applied, one shape per concept).
 */

export type RawScalar = string | number | boolean;
export type RawCommandLine = string | Array<string | number>;
export type RawDependencyCondition = "started" | "healthy" | "completed";

export interface RawHealth {
  http?: string | { path?: string; status?: number; host?: string; port?: string };
  tcp?: true | string;
  command?: RawCommandLine;
  log?: string;
  interval?: string;
  timeout?: string;
  liveness?: boolean | RawLiveness;
}

/** `health.liveness` as written: `true` for the defaults, or a map of them. */
export interface RawLiveness {
  interval?: string;
  timeout?: string;
  failures?: number;
}

export interface RawService {
  command: RawCommandLine;
  args?: Array<string | number>;
  cwd?: string;
  env?: Record<string, RawScalar>;
  env_file?: string | string[];
  shell?: boolean;
  port?: number | "auto" | "none";
  ports?: Record<string, number | "auto">;
  depends_on?: string[] | Record<string, RawDependencyCondition | { condition?: RawDependencyCondition; restart?: boolean }>;
  health?: RawHealth;
  restart?: RawRestartPolicy | { policy: RawRestartPolicy; max_restarts?: number; delay?: string; max_delay?: string };
  stop_signal?: string;
  stop_timeout?: string;
  disabled?: boolean;
  profiles?: string[];
  strict?: boolean;
  announce?: boolean;
  url?: string;
  watch?: string | string[] | RawWatch;
  tunnel?: "ngrok" | RawTunnel;
  image?: string;
  build?: string | { context: string; dockerfile?: string; args?: Record<string, RawScalar> };
  proxy?: boolean;
}

/** `watch:` as a map. */
export interface RawWatch {
  paths: string | string[];
  ignore?: string | string[];
  debounce?: string;
  rebuild?: RawCommandLine;
  signal?: string;
}

/** `tunnel:` as written: one map for every provider; which keys go with which is checked when normalizing. */
export interface RawTunnel {
  provider?: "ssh" | "ngrok" | "command";
  host?: string;
  user?: string;
  port?: number;
  remote_port?: number;
  url?: string;
  identity?: string;
  args?: Array<string | number>;
  domain?: string;
  command?: RawCommandLine;
  url_pattern?: string;
  target?: string;
  required?: boolean;
  enabled?: boolean;
  verify?: string | false;
  timeout?: string;
}

/** `unless-stopped` (compose's) means `always` here: a service stopped with `portmate stop` stays stopped anyway. */
export type RawRestartPolicy = "no" | "on-failure" | "always" | "unless-stopped";
export type RestartPolicy = Exclude<RawRestartPolicy, "unless-stopped">;

/** When and how often a service that exits after start-up is started again. */
export interface RestartConfig {
  policy: RestartPolicy;
  maxRestarts: number;
  delayMs: number;
  maxDelayMs: number;
}

export interface RawConfig {
  name?: string;
  ports?: { range?: string };
  env_file?: string | string[];
  proxy?: boolean | { https?: boolean };
  services: Record<string, RawService>;
}

/** A string that may hold `${…}` templates, kept with the YAML path it came from for error messages. */
export type TemplateText = string;

/** One port a service asks for: `name` is `default` for `port:`, or the key of `ports:`. */
export interface PortRequestConfig {
  name: string;
  /** Preferred port number, used when free; undefined for `auto`. */
  preferred?: number;
}

export type HealthCheckConfig =
  | { kind: "http"; path: TemplateText; status?: number; host?: string; port: string }
  | { kind: "tcp"; port: string }
  | { kind: "command"; command: CommandConfig }
  | { kind: "log"; pattern: RegExp }
  | { kind: "none" };

export interface HealthConfig {
  check: HealthCheckConfig;
  /** Steady interval between checks, in ms. */
  intervalMs: number;
  /** Deadline to become ready, from the start of the service, in ms. */
  timeoutMs: number;
  /** Keeps checking with the same check once the service is ready; undefined when not asked (`health.liveness`). */
  liveness?: LivenessConfig;
}

/**
 * The service's check, run again and again after it is ready: `failures` failed checks in a row make it
 * `unhealthy`, and restart it when its restart policy says so.
 */
export interface LivenessConfig {
  /** Pause between the end of one check and the start of the next, in ms. */
  intervalMs: number;
  /** How long one check may take before it counts as failed, in ms. */
  timeoutMs: number;
  /** Failed checks in a row that make the service unhealthy. */
  failures: number;
}

/** A command before templates are filled in: the shell string, or the argument list (split already). */
/**
 * A command: a script for `/bin/sh -c`, or the program and its arguments. `optional`: the indexes of arguments
 * written as bare `${…}` in a command string, dropped when they render empty, as a shell drops an unquoted empty
 * expansion.
 */
export type CommandConfig = { shell: true; script: TemplateText } | { shell: false; argv: TemplateText[]; optional?: number[] };

export interface DependencyConfig {
  service: string;
  condition: RawDependencyCondition;
  /** Restarted after that service is restarted by a file change (`restart: true`, compose's spelling). */
  restart: boolean;
}

/** Files whose changes restart a service (`watch:`), and how. */
export interface WatchConfig {
  /** The config's folder (absolute): what the paths and the `.gitignore` are relative to. */
  root: string;
  /** Folders, files or globs, relative to the config's folder, as written. */
  paths: string[];
  /** Gitignore-style patterns whose changes do nothing, beside those of the `.gitignore` beside the config. */
  ignore: string[];
  debounceMs: number;
  /** A command run before each restart; the restart is skipped when it fails. */
  rebuild?: CommandConfig;
  /** Sent to the service instead of restarting it. */
  signal?: NodeJS.Signals;
}

export const DEFAULT_WATCH_DEBOUNCE_MS = 200;

export interface ServiceConfig {
  name: string;
  command: CommandConfig;
  /** Absolute working directory. */
  cwd: string;
  /** Explicit `env:` (templates not yet filled in). */
  env: Record<string, TemplateText>;
  /** Variables read from the service's own env files. */
  envFromFiles: Record<string, string>;
  /** The service's own env files (absolute), for exports that refer to them rather than copy them. */
  envFiles: string[];
  /** Ports in declaration order; the first is the primary one. Empty for `port: none`. */
  ports: PortRequestConfig[];
  dependsOn: DependencyConfig[];
  health: HealthConfig;
  restart: RestartConfig;
  stopSignal: NodeJS.Signals;
  stopTimeoutMs: number;
  disabled: boolean;
  /** Left out of `up` unless one of these profiles is active, it is named, or a started service needs it; empty: always started. */
  profiles: string[];
  /** A preferred port that is taken fails the start instead of being replaced. */
  strict: boolean;
  /** The service chooses its primary port and announces it on stdout; portmate allocates none for it. */
  announce: boolean;
  /** Its URL as a template (`redis://${host}:${port}/0`), when `url:` gives one. */
  url?: TemplateText;
  /** Its public tunnel, when it has one. */
  tunnel?: TunnelConfig;
  /** Files that restart it when they change. */
  watch?: WatchConfig;
  /** The container image that runs it on other engines (`portmate export`). */
  image?: string;
  /** How compose builds its image: the context folder (absolute), and the Dockerfile and build args if given. */
  build?: BuildConfig;
  /** false: no `.localhost` name for it even when the project has names (`proxy: false`). */
  named: boolean;
}

export interface BuildConfig {
  /** Absolute. */
  context: string;
  dockerfile?: string;
  args: Record<string, string>;
}

/** The whole config, normalized. */
export interface PortmateConfig {
  /** Absolute path of the config file (the first, when several were merged). */
  file: string;
  /** Every file merged into this config, in order (absolute): `file` first, then `-f` files or the override. */
  files: string[];
  /** Found by its name (no `-f`): read again, it is searched for again, with the override beside it then. */
  foundByName: boolean;
  /** Folder of the config file: relative paths of every file are resolved against it, as in compose. */
  dir: string;
  project: string;
  range: { from: number; to: number };
  /**
   * The environment `${VAR}` interpolation reads and every service starts from: the process environment
   * (or the one given to loadConfig) over the variables of the top-level env files.
   */
  env: Record<string, string>;
  /** The top-level env files (absolute), for exports that must say they do not carry them. */
  envFiles: string[];
  /**
   * What `${VAR}` interpolation reads: `env` over the variables of the `.env` beside the config (or of the
   * `--env-file` files). Only interpolation: the services start from `env`, as docker compose does.
   */
  variables: Record<string, string>;
  /** The `.env` or `--env-file` files read for `variables` (absolute). */
  dotenvFiles: string[];
  /** Services in file order. */
  services: Map<string, ServiceConfig>;
  /** Stable `.localhost` names through the local proxy (`proxy:`); undefined when the project has none. */
  proxy?: ProxyConfig;
}

/** `proxy:`: every HTTP service gets a name such as `http://ui.demo.localhost:1356`, served by the local proxy. */
export interface ProxyConfig {
  /** The names are `https://` (a local CA signs their certificates; see `portmate trust`). */
  https: boolean;
}

export const DEFAULT_RANGE = { from: 8000, to: 9000 } as const;
export const DEFAULT_PORT_NAME = "default";
export const DEFAULT_HEALTH_INTERVAL_MS = 500;
export const DEFAULT_HEALTH_TIMEOUT_MS = 30_000;
export const DEFAULT_STOP_TIMEOUT_MS = 10_000;
/** `health.liveness: true`: a check every 10 s, each given 5 s, three failures in a row (like Kubernetes' failureThreshold). */
export const DEFAULT_LIVENESS = { intervalMs: 10_000, timeoutMs: 5000, failures: 3 } as const satisfies LivenessConfig;
export const DEFAULT_RESTART = { policy: "no", maxRestarts: 10, delayMs: 1000, maxDelayMs: 30_000 } as const satisfies RestartConfig;
/** A service that ran this long before exiting was stable: its restart count and delay start again. */
export const RESTART_RESET_AFTER_MS = 30_000;

/** Where a service's public tunnel comes from. */
export type TunnelProviderConfig =
  | {
      provider: "ssh";
      /** The SSH server whose port is made public (`ssh -R`). */
      host: string;
      user?: string;
      /** The SSH server's own port. */
      sshPort?: number;
      /** The port opened on the server; 0 lets the server choose one. */
      remotePort: number;
      /** The public URL the remote port is reached at, `${remote_port}` filled in; default `http://HOST:PORT`. */
      url?: string;
      /** Private key file, relative to the config's folder. */
      identity?: string;
      /** More arguments for ssh, before the destination (`-o Option=value`, `-F config`). */
      args: string[];
    }
  | { provider: "ngrok"; domain?: string }
  | {
      provider: "command";
      /** Any tunnel program; templates such as `${port}` are filled in like the service's command. */
      command: CommandConfig;
      /** Finds the public URL in its output: the first group, or the whole match. */
      urlPattern: RegExp;
    };

/** A service's public tunnel (`tunnel:`), opened once the service is healthy. */
export type TunnelConfig = TunnelProviderConfig & {
  /** Which of the service's ports it forwards (default: the primary one). */
  target: string;
  /** Without its tunnel the stack fails to start (exit 1) instead of running the service locally only. */
  required: boolean;
  /** Off unless `up --tunnel SERVICE` turns it on. */
  enabled: boolean;
  /** Path requested through the tunnel and locally to prove it reaches the service (default: the HTTP health
   * check's path on that port, else `/`); null: not checked. */
  verify?: TemplateText | null;
  /** How long opening and verifying may take. */
  timeoutMs: number;
};

export const DEFAULT_TUNNEL_TIMEOUT_MS = 30_000;
