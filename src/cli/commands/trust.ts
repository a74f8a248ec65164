import { Command } from "commander";
import { ExitCode } from "../../errors.js";
import { caCommonName, caDir, hasLocalCa, loadLocalCa } from "../../proxy/tls/local-ca.js";
import { trustLocalCa, type StoreReport } from "../../proxy/tls/trust.js";
import { trustedCa } from "../../proxy/tls/trusted-ca.js";
import { stateLayout } from "../../state/paths.js";
import { homeAbbreviated } from "../../util/home-path.js";
import type { CliIO } from "../ui/terminal.js";
import { ExitRequest, helpExtras, INTERNAL_EXIT } from "./shared.js";

/** `portmate trust`. */
export function trustCli(io: CliIO): Command {
  const command = new Command("trust")
    .summary("make browsers trust portmate's local CA, for https://NAME.localhost")
    .description(
      "Install portmate's local certificate authority where browsers read it, so that https://SERVICE.PROJECT.localhost names load without a warning: on Linux the user's NSS database (~/.pki/nssdb, Chromium and Chrome) and every Firefox profile; on macOS the login keychain. The CA is made on first use in the state folder; its key never leaves it. Nothing is trusted until this command is run.",
    )
    .option("--remove", "take the CA out of the same places")
    .option("--nssdb <dir>", "only this NSS database, made if missing (for tests, CI and custom setups)")
    .option("--json", "print what was done as JSON");
  helpExtras(
    command,
    {
      exitCodes: [
        [ExitCode.ok, "done in every place (or nothing to remove)"],
        [ExitCode.serviceFailed, "a place could not be written, or certutil is not installed"],
        [ExitCode.usage, "an unknown option"],
        INTERNAL_EXIT,
      ],
      examples: [
        ["portmate trust", "trust the CA in Chromium and Firefox (Linux) or the keychain (macOS)"],
        ["portmate trust --remove", "stop trusting it"],
        ["portmate trust --nssdb ./nssdb", "only in this NSS database"],
      ],
    },
    io,
  );
  return command.action(async (options: { remove?: boolean; nssdb?: string; json?: boolean }) => {
    throw new ExitRequest(
      await trustCommand({ remove: options.remove === true, json: options.json === true, ...(options.nssdb ? { nssdb: options.nssdb } : {}) }, io),
    );
  });
}

export interface TrustCommandOptions {
  remove: boolean;
  nssdb?: string;
  json: boolean;
}

const DONE: Record<StoreReport["outcome"], string> = {
  added: "trusted now",
  replaced: "trusted now (an older portmate CA of this name was removed)",
  already: "already trusted",
  removed: "removed",
  absent: "was not there",
  failed: "FAILED",
};

/** `portmate trust [--remove]`: adds the local CA to the browsers' trust stores, or removes it. */
export async function trustCommand(options: TrustCommandOptions, io: CliIO): Promise<number> {
  const layout = stateLayout();
  // Removing makes no CA: without one, what was trusted under its name is removed all the same.
  const ca = options.remove && !hasLocalCa(layout) ? { nickname: caCommonName() } : trustedCa(loadLocalCa(layout));
  const stores = await trustLocalCa(ca, options.remove, options.nssdb ? { nssdb: options.nssdb } : {});
  const failed = stores.some((store) => store.outcome === "failed");
  if (options.json) {
    const file = "file" in ca ? ca.file : null;
    const done = stores.map(({ kind, label, path, outcome, error }) => ({ kind, label, path, outcome, ...(error ? { error } : {}) }));
    io.stdout.write(`${JSON.stringify({ action: options.remove ? "remove" : "trust", ca: { name: ca.nickname, file }, stores: done }, null, 2)}\n`);
    return failed ? ExitCode.serviceFailed : ExitCode.ok;
  }
  io.stdout.write(`${ca.nickname}${"file" in ca ? ` (${homeAbbreviated(ca.file)})` : ""}\n`);
  for (const store of stores)
    io.stdout.write(`  ${store.label} (${homeAbbreviated(store.path)}): ${DONE[store.outcome]}${store.error ? `: ${store.error}` : ""}\n`);
  if (!options.remove && stores.some((store) => store.outcome === "added" || store.outcome === "replaced")) {
    io.stdout.write("Restart browsers that are running to pick it up. `portmate trust --remove` undoes this.\n");
  }
  if (options.remove && hasLocalCa(layout)) io.stdout.write(`The CA itself stays in ${homeAbbreviated(caDir(layout))}; delete that folder to forget it.\n`);
  return failed ? ExitCode.serviceFailed : ExitCode.ok;
}
