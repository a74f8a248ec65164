// `portmate trust`: the CLI with this command alone, a bundle of its own (see bin.ts).
import { trustCli } from "../commands/trust.js";
import { run } from "../run.js";

export const start = (argv: readonly string[]) => run(argv, { commands: [trustCli] });
