import { mkdirSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

/**
 * Where portmate keeps what it knows about running stacks (spec §5): `$PORTMATE_STATE_DIR`, else
 * `$XDG_STATE_HOME/portmate`, else `~/.local/state/portmate`. Private to the user: folders 0700, files 0600.
 */
export function stateDir(env: Readonly<Record<string, string | undefined>> = process.env): string {
  if (env.PORTMATE_STATE_DIR) return env.PORTMATE_STATE_DIR;
  if (env.XDG_STATE_HOME) return join(env.XDG_STATE_HOME, "portmate");
  return join(homedir(), ".local", "state", "portmate");
}

/** The folders under the state folder, each created (0700) on first use. */
export interface StateLayout {
  root: string;
  /** One record per running stack instance. */
  stacks: string;
  /** One lock file per reserved port. */
  ports: string;
  /** Service logs, by project and instance. */
  logs: string;
  /** Control sockets of running supervisors. */
  run: string;
  /** Each project's last ports, preferred on its next `up`. */
  sticky: string;
}

export function stateLayout(root = stateDir()): StateLayout {
  return { root, stacks: join(root, "stacks"), ports: join(root, "ports"), logs: join(root, "logs"), run: join(root, "run"), sticky: join(root, "sticky") };
}

/** Creates `dir` and any missing parents with mode 0700. A folder that exists already is left as it is. */
export function ensurePrivateDir(dir: string): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}
