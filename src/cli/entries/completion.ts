// `portmate completion`: the CLI with this command alone, a bundle of its own (see bin.ts).
import { completionCli } from "../commands/completion.js";
import { run } from "../run.js";

export const start = (argv: readonly string[]) => run(argv, { commands: [completionCli] });
