// `portmate ps`: the CLI with this command alone, a bundle of its own (see bin.ts).
import { psCli } from "../commands/ps.js";
import { run } from "../run.js";

export const start = (argv: readonly string[]) => run(argv, { commands: [psCli] });
