// `portmate init`: the CLI with this command alone, a bundle of its own (see bin.ts).
import { initCli } from "../commands/init.js";
import { run } from "../run.js";

export const start = (argv: readonly string[]) => run(argv, { commands: [initCli] });
