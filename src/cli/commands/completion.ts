import { Command } from "commander";
import { ExitCode } from "../../errors.js";
import { unknownNameError } from "../../util/did-you-mean.js";
import { COMPLETION_SHELLS, completions, completionScript } from "../complete.js";
import type { CliIO } from "../ui/terminal.js";
import { ExitRequest, helpExtras, INTERNAL_EXIT } from "./shared.js";

/** `portmate completion bash|zsh|fish`. */
export function completionCli(io: CliIO): Command {
  const command = new Command("completion")
    .summary("print a shell completion script")
    .description("Print a script that completes portmate's commands, flags and the service names of the nearest portmate.yaml.")
    .argument("<shell>", COMPLETION_SHELLS.join(", "));
  helpExtras(
    command,
    {
      exitCodes: [[ExitCode.ok, "printed"], [ExitCode.usage, "a shell it has no script for"], INTERNAL_EXIT],
      examples: [
        ['eval "$(portmate completion bash)"', "in ~/.bashrc"],
        ['eval "$(portmate completion zsh)"', "in ~/.zshrc (after compinit)"],
        ["portmate completion fish | source", "in ~/.config/fish/config.fish"],
      ],
    },
    io,
  );
  return command.action((shell: string) => {
    if (!COMPLETION_SHELLS.includes(shell)) {
      throw unknownNameError(shell, COMPLETION_SHELLS, { message: `no completion for "${shell}"`, list: "shells" });
    }
    io.stdout.write(completionScript(shell));
    throw new ExitRequest(ExitCode.ok);
  });
}

/** `portmate __complete -- WORDS…`: what the completion scripts call; one candidate per line. */
export function completeCli(io: CliIO, root: () => Command): Command {
  return new Command("__complete")
    .argument("[words...]")
    .allowUnknownOption()
    .action(async (words: string[]) => {
      const { loadConfig } = await import("../../config/load.js");
      const services = (files: string[], projectName?: string) => {
        try {
          return [...loadConfig({ file: files, projectName }).config.services.keys()];
        } catch {
          return [];
        }
      };
      const found = completions(root(), words.length ? words : [""], services);
      if (found.length) io.stdout.write(`${found.join("\n")}\n`);
      throw new ExitRequest(ExitCode.ok);
    });
}
