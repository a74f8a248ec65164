/**
 * The subset of Nomad's JSON job (the shape of its HTTP API, `{"Job": {…}}`) that `portmate export nomad`
 * writes. Durations are nanoseconds, as the API has them. The HCL jobspec is written from the same data.
 */

export interface NomadJob {
  ID: string;
  Name: string;
  Type: "service";
  Datacenters: string[];
  TaskGroups: NomadGroup[];
}

/** One instance of the stack: its services as the tasks of one group, sharing the group's ports. */
export interface NomadGroup {
  Name: string;
  Count: number;
  /** Absent when no service of the instance has a port. */
  Networks?: Array<{ DynamicPorts: Array<{ Label: string }> }>;
  ReschedulePolicy: { Attempts: number; Unlimited: boolean };
  Tasks: NomadTask[];
}

export interface NomadTask {
  Name: string;
  Driver: "raw_exec" | "docker";
  /** The driver's own keys, lower case as Nomad's drivers name them. */
  Config: Record<string, string | string[]>;
  Env: Record<string, string>;
  KillSignal: string;
  KillTimeout: number;
  RestartPolicy: { Attempts: number; Interval: number; Delay: number; Mode: "fail" };
  Lifecycle?: { Hook: "prestart"; Sidecar: boolean };
  Services?: NomadService[];
}

export interface NomadService {
  Name: string;
  PortLabel: string;
  Provider: "nomad";
  Checks?: NomadCheck[];
}

export interface NomadCheck {
  Type: "http" | "tcp";
  /** Only when the check is on another port than its service's. */
  PortLabel?: string;
  Path?: string;
  Interval: number;
  Timeout: number;
}

/** Milliseconds as the nanoseconds of Nomad's API. */
export function nanoseconds(ms: number): number {
  return Math.round(ms * 1_000_000);
}
