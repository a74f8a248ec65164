// `portmate up`: the CLI with this command alone, a bundle of its own (see bin.ts).
import { upCli } from "../commands/up.js";
import { run } from "../run.js";

export const start = (argv: readonly string[]) => run(argv, { commands: [upCli] });
