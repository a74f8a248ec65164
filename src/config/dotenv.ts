import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseEnv } from "dotenv";
import { UsageError } from "../errors.js";
import { shownPath } from "../util/shown-path.js";

/**
 * The variables `${VAR}` interpolation reads besides the environment, as docker compose reads them: the `.env`
 * beside the config (none is fine), or instead the files given with `--env-file`, in order, a later one winning
 * (one that does not exist is a usage error). They are not passed to the services: that is `env_file:`.
 */
export interface Dotenv {
  vars: Record<string, string>;
  /** The files read (absolute). */
  files: string[];
  /** For messages: what was read, `.env` or the `--env-file` files (`a.env, b.env`); empty when nothing was. */
  described: string;
}

/** Reads the `.env` of `dir`, or `given` (absolute paths) instead of it. */
export function readDotenv(dir: string, given: readonly string[] | undefined): Dotenv {
  if (given?.length) {
    const vars: Record<string, string> = {};
    for (const file of given) {
      const text = readText(file);
      if (text === undefined)
        throw new UsageError(
          `--env-file ${shownPath(file)}: the file does not exist`,
          "give an existing file, or leave --env-file out to read the `.env` beside the config",
        );
      Object.assign(vars, parseEnv(text));
    }
    return { vars, files: [...given], described: given.map((file) => shownPath(file)).join(", ") };
  }
  const file = join(dir, ".env");
  const text = readText(file);
  if (text === undefined) return { vars: {}, files: [], described: "" };
  return { vars: parseEnv(text), files: [file], described: ".env" };
}

/** A file's text; undefined when it does not exist. */
function readText(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new UsageError(`cannot read ${file}: ${(error as Error).message}`);
  }
}
