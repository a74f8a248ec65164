import { Command } from "commander";
import { ExitCode, UsageError } from "../../errors.js";
import { type CliIO, info } from "../ui/terminal.js";
import { ExitRequest, globals, helpExtras, INTERNAL_EXIT } from "./shared.js";

/** The options of `portmate init`, as commander gives them. */
interface InitFlags {
  from?: string;
  force?: boolean;
  json?: boolean;
  stdout?: boolean;
}

/** `portmate init`. */
export function initCli(io: CliIO): Command {
  const command = new Command("init")
    .summary("write a portmate.yaml from a Procfile, compose file or package.json")
    .description(
      "Write a commented portmate.yaml from what the folder has: a Procfile, a compose file or package.json scripts and workspaces (a minimal example when none). Every guess is marked with a `# guess:` comment.",
    )
    .option("--from <file>", "read this file instead of the first one found")
    .option("--force", "overwrite an existing portmate.yaml")
    .option("--stdout", "print the config instead of writing it")
    .option("--json", "print what was found and guessed as JSON")
    .option("-f, --file <path>", "the file to write (default: portmate.yaml here)");
  helpExtras(
    command,
    {
      notes: [
        "Looked for, in this order: Procfile.dev, Procfile, compose.yaml, compose.yml, docker-compose.yaml, docker-compose.yml, package.json.",
        "The file is checked as `portmate up` checks one before it is written; programs not found here are named in it.",
      ],
      exitCodes: [[ExitCode.ok, "written (or printed)"], [ExitCode.usage, "the file exists (see --force), or --from names no file init reads"], INTERNAL_EXIT],
      examples: [
        ["portmate init", "then: portmate config, portmate up"],
        ["portmate init --from docker-compose.yml --stdout", "see what a compose file gives"],
        ["portmate init --force", "write it again over the old one"],
      ],
    },
    io,
  );
  return command.action(async (options: InitFlags, self: Command) => {
    const { file, ...rest } = globals(self);
    if (file && file.length > 1) throw new UsageError("init writes one file: give -f once");
    throw new ExitRequest(await initCommand({ ...rest, ...(file ? { file: file[0] as string } : {}), ...options }, io));
  });
}

export interface InitCommandOptions extends InitFlags {
  file?: string;
}

/** `portmate init`: writes (or prints) the config, then says what it read, what it guessed and what is missing. */
export async function initCommand(options: InitCommandOptions, io: CliIO): Promise<number> {
  const { initConfig } = await import("../../init/init-config.js");
  const result = initConfig({
    ...(options.file === undefined ? {} : { file: options.file }),
    ...(options.from === undefined ? {} : { from: options.from }),
    force: options.force === true,
    write: options.stdout !== true,
  });
  if (options.json) {
    const { text, ...rest } = result;
    io.stdout.write(`${JSON.stringify(options.stdout ? result : rest, null, 2)}\n`);
    return ExitCode.ok;
  }
  if (options.stdout) io.stdout.write(result.text);
  info(io, result.source ? `read ${result.source}` : "found no Procfile, compose file or package.json: wrote an example");
  if (result.others.length) info(io, `also found ${result.others.join(", ")} (\`portmate init --from FILE\` reads one)`);
  for (const guess of result.guesses) info(io, `guess: ${guess.service}.${guess.key}: ${guess.note}`);
  if (result.missing.length) info(io, `not found on this machine: ${result.missing.join(", ")}`);
  if (result.written) info(io, `wrote ${result.file}; check the guesses, then: portmate ${options.file === undefined ? "" : `-f ${options.file} `}up`);
  return ExitCode.ok;
}
