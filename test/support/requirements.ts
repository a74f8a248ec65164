// Programs some tests need that a developer's machine may lack. Without one, its tests are skipped and the
// summary says in one line what to install; with PORTMATE_NO_SKIPS=1 (what CI sets, after installing every
// one of them) nothing is skipped: the tests run and fail where the program is missing.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { describe } from "vitest";

/** A program some tests need: what it is, how to get it, whether this machine has it. */
export interface Requirement {
  what: string;
  install: string;
  available: boolean;
}

/** Whether missing programs make tests fail instead of skip (CI). */
export const NO_SKIPS = process.env.PORTMATE_NO_SKIPS === "1";

/** The marker a skipped suite's name carries, read by the summary reporter. */
export function skipMarker(requirement: Requirement): string {
  return `[needs ${requirement.what}: install ${requirement.install}]`;
}

function runs(file: string, args: string[]): boolean {
  try {
    execFileSync(file, args, { stdio: "ignore", timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

function requirement(what: string, install: string, check: () => boolean): Requirement {
  let known: boolean | undefined;
  return {
    what,
    install,
    get available() {
      known ??= check();
      return known;
    },
  };
}

export const OPENSSH_SERVER = requirement("sshd", "openssh-server (and openssh-client)", () => existsSync("/usr/sbin/sshd") && runs("ssh", ["-V"]));
export const ZSH = requirement("zsh", "zsh", () => runs("zsh", ["-c", "true"]));
export const FISH = requirement("fish", "fish", () => runs("fish", ["-c", "true"]));
export const REDIS = requirement("redis-server", "redis-server", () => runs("redis-server", ["--version"]));
/** Debian's Python with uvicorn, FastAPI, Flask and gunicorn (python3-uvicorn python3-fastapi python3-flask gunicorn). */
export const PYTHON_SERVERS = requirement("Python's uvicorn, FastAPI, Flask and gunicorn", "python3-uvicorn python3-fastapi python3-flask gunicorn", () =>
  runs("/usr/bin/python3", ["-c", "import uvicorn, fastapi, flask, gunicorn"]),
);

/** NSS's certutil, which `portmate trust` writes browsers' trust stores with. */
export const CERTUTIL = requirement("certutil", "libnss3-tools", () => runs("sh", ["-c", "command -v certutil"]));
/** Debian's Chromium, which playwright-core drives (it downloads no browser of its own). */
export const CHROMIUM = requirement("chromium", "chromium", () => runs("/usr/bin/chromium", ["--version"]));

/** Debian's Firefox ESR, driven over WebDriver BiDi (see firefox.ts). */
export const FIREFOX = requirement("firefox", "firefox-esr", () => runs("/usr/bin/firefox-esr", ["--version"]));

/** `describe`, skipped (with the marker in its name) when `requirement` is missing and skips are allowed. */
export function describeWith(requirement: Requirement, name: string, body: () => void): void {
  if (requirement.available || NO_SKIPS) describe(name, body);
  else describe.skip(`${name} ${skipMarker(requirement)}`, body);
}
