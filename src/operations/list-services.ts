import { psRowsListening } from "../stack/ps-rows.js";
import { recordedStacks } from "../state/recorded-stacks.js";
import { stateLayout } from "../state/paths.js";

/** One service of one running instance, as `portmate ps --json` prints it. */
export interface ServiceJson {
  project: string;
  instance: number;
  service: string;
  pid: number | null;
  /** Its primary port; null while it has none yet, or none at all. */
  port: number | null;
  /** Every port it has, by name (`default` for the primary one). */
  ports: Record<string, number>;
  /** `starting`, `healthy`, `unhealthy`, `restarting`, `exited (CODE)`, `stopping`, `stopped` or `stale`. */
  status: string;
  url: string | null;
  /** Its URL through the local proxy, when the project has names. */
  named_url: string | null;
  /** Its public tunnel's URL while open. */
  public_url: string | null;
  startedAt: string | null;
  /** The ports its processes really listen on; null when that cannot be known. */
  listening: number[] | null;
}

export interface ListServicesOptions {
  /** Only this project's stacks; default: every stack on this machine. */
  project?: string;
  /** Told about records that cannot be read. */
  warn?: (message: string) => void;
}

/** The services of the running stacks (of one project, or of all), with the ports each really listens on. */
export async function listServices(options: ListServicesOptions): Promise<ServiceJson[]> {
  const rows = await psRowsListening(recordedStacks(stateLayout(), { project: options.project, warn: options.warn }));
  return rows.map(({ project, instance, service, pid, port, ports, status, url, namedUrl, publicUrl, startedAt, listening }) => ({
    project,
    instance,
    service,
    pid,
    port,
    ports,
    status,
    url,
    named_url: namedUrl,
    public_url: publicUrl,
    startedAt,
    listening: listening ?? null,
  }));
}
