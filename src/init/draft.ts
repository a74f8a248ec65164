/**
 * A portmate.yaml being written by `portmate init`: plain data the readers fill in and write-config renders.
 * Every value a reader was not sure of carries a note, rendered as a `# guess:` comment beside it.
 */

/** One service of the draft, its keys in the order they are written. */
export interface DraftService {
  name: string;
  /** Comment lines above the service: where it came from. */
  notes: string[];
  command: string;
  /** `shell: true`: the command uses the shell (`&&`, pipes, `cd`). */
  shell?: boolean;
  /** Relative to the written file's folder. */
  cwd?: string;
  /** Preferred port (the one the source used), or `none` for a process that listens on nothing. */
  port?: number | "none";
  env?: Record<string, string>;
  /** Relative to the written file's folder. */
  env_file?: string[];
  depends_on?: Record<string, "started" | "healthy" | "completed">;
  health?: { http: string } | { command: string };
  image?: string;
  build?: string | { context: string; dockerfile: string };
  disabled?: boolean;
  /** compose's `profiles`: kept, as portmate has them with compose's rules. */
  profiles?: string[];
  /** The program a script runs in the end (`next` for `npm run dev`), looked for as the command's is. */
  program?: string;
  /** Guesses by key (`command`, `health`, `env.API_URL`…): the comment written beside that key. */
  guesses: Record<string, string>;
}

/** What one source gave. */
export interface Draft {
  /** The file it was read from, relative to the written file's folder. */
  source: string;
  services: DraftService[];
  /** Comment lines at the top of the file. */
  notes: string[];
}

/** A guess as init reports it. */
export interface Guess {
  service: string;
  key: string;
  note: string;
}

export function guessesOf(services: readonly DraftService[]): Guess[] {
  return services.flatMap((service) => Object.entries(service.guesses).map(([key, note]) => ({ service: service.name, key, note })));
}

/** A service name portmate accepts (letters, digits, `-`, `_`), from a package or process name, unique among `taken`. */
export function serviceName(raw: string, taken: ReadonlySet<string>): string {
  const base =
    raw
      .replace(/^@[^/]+\//, "")
      .replace(/[^A-Za-z0-9_-]+/g, "-")
      .replace(/^[-_]+|[-_]+$/g, "") || "service";
  let name = base;
  for (let index = 2; taken.has(name); index++) name = `${base}-${index}`;
  return name;
}
