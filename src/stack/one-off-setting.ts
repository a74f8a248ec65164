import { dirname } from "node:path";
import type { ServiceRecord, StackRecord } from "../state/registry.js";
import { discoveryEnv, recordedServiceEnv } from "./recorded-env.js";

/** Where a one-off command against a running stack runs (`portmate run`), and with which environment. */
export interface OneOffSetting {
  /** The whole environment of the command. */
  env: Record<string, string>;
  cwd: string;
}

/** The caller's side: its environment and folder, what the command starts from. */
export interface Caller {
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
}

/**
 * The setting of a one-off command. Without a service: the caller's folder and environment, with where every
 * service is on top (what `eval "$(portmate env)"` sets): a stale `BACKEND_PORT` of the caller's shell must not
 * point the command elsewhere than the running stack. With a service: its folder, and every variable portmate
 * gave it (its `env:`, env files, the discovery variables it gets) over the caller's environment, so the command
 * sees what the service sees.
 */
export function oneOffSetting(record: StackRecord, service: ServiceRecord | undefined, caller: Caller): OneOffSetting {
  const inherited = Object.fromEntries(Object.entries(caller.env).filter((entry): entry is [string, string] => entry[1] !== undefined));
  if (service === undefined) return { env: { ...inherited, ...discoveryEnv(record) }, cwd: caller.cwd };
  // A record of an older version has no folder: the config file's, every service's unless it says otherwise.
  return { env: { ...inherited, ...recordedServiceEnv(record, service) }, cwd: service.cwd ?? dirname(record.configFile) };
}
