import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { isListening, onCleanup, pidGone, randomRange, waitUntil } from "./helpers.js";

/** Where Debian's openssh-server puts the daemon. */
const SSHD = "/usr/sbin/sshd";

/** A real OpenSSH server of the test's own, on loopback: the far end of ssh tunnels. */
export interface SshServer {
  /** The port sshd listens on. */
  port: number;
  pid: number;
  user: string;
  /** The private key its authorized_keys accepts. */
  identity: string;
  /** ssh options that trust its throwaway host key without touching the user's known_hosts. */
  trustArgs: string[];
}

/**
 * Starts sshd on an unprivileged loopback port with a throwaway host key and a throwaway authorized key, in a
 * temp folder; stopped after the test, and checked gone. Reverse forwards (`ssh -R`) open on the server's
 * loopback, which is the "public" side a test requests through.
 */
export async function startSshServer(): Promise<SshServer> {
  if (!existsSync(SSHD)) throw new Error(`${SSHD} not found: the tunnel tests need OpenSSH's server (Debian: apt-get install openssh-server)`);
  const dir = mkdtempSync(join(tmpdir(), "portmate-sshd-"));
  const keygen = (file: string) => execa("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "portmate-test", "-f", join(dir, file)]);
  await Promise.all([keygen("host_key"), keygen("user_key")]);
  writeFileSync(join(dir, "authorized_keys"), readFileSync(join(dir, "user_key.pub"), "utf8"), { mode: 0o600 });
  const port = randomRange(1).from;
  writeFileSync(
    join(dir, "sshd_config"),
    [
      `Port ${port}`,
      "ListenAddress 127.0.0.1",
      `HostKey ${join(dir, "host_key")}`,
      `AuthorizedKeysFile ${join(dir, "authorized_keys")}`,
      "PidFile none",
      "StrictModes no",
      "UsePAM no",
      "PasswordAuthentication no",
      "KbdInteractiveAuthentication no",
      "PermitRootLogin prohibit-password",
      "AllowTcpForwarding remote",
      "GatewayPorts no",
      "LogLevel VERBOSE",
      "",
    ].join("\n"),
  );
  // Run as root, sshd wants its privilege separation folder (made by the package's service, which no one starts here).
  if (process.getuid?.() === 0) mkdirSync("/run/sshd", { recursive: true, mode: 0o755 });
  const daemon = execa(SSHD, ["-D", "-e", "-f", join(dir, "sshd_config")], { detached: true, reject: false, all: true, stdin: "ignore" });
  const pid = daemon.pid as number;
  onCleanup(async () => {
    // The listener and its per-connection children share its process group.
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      // gone already
    }
    await daemon;
    await waitUntil(() => pidGone(pid), "sshd to exit");
    rmSync(dir, { recursive: true, force: true });
  });
  try {
    await waitUntil(() => isListening(port), `sshd to listen on ${port}`);
  } catch (error) {
    daemon.kill("SIGKILL");
    const { all } = await daemon;
    throw new Error(`${(error as Error).message}: ${all ?? ""}`);
  }
  return {
    port,
    pid,
    user: userInfo().username,
    identity: join(dir, "user_key"),
    trustArgs: ["-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null"],
  };
}
