// `portmate env`: the CLI with this command alone, a bundle of its own (see bin.ts).
import { envCli } from "../commands/env.js";
import { run } from "../run.js";

export const start = (argv: readonly string[]) => run(argv, { commands: [envCli] });
