import { createPrivateKey, generateKeyPairSync, type KeyObject, randomBytes, X509Certificate } from "node:crypto";
import { readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { hostname, userInfo } from "node:os";
import { join } from "node:path";
import { PortmateError, ExitCode } from "../../errors.js";
import { ensurePrivateDir, type StateLayout } from "../../state/paths.js";
import type { Der } from "./der.js";
import { distinguishedName, keyIdentifier, signCertificate, subjectOf } from "./certificate.js";
import { basicConstraints, keyUsage, localhostOnly, subjectKeyIdentifier } from "./extensions.js";

const DAY = 24 * 60 * 60 * 1000;
/** How long the CA lasts: long enough that `portmate trust` is run once per machine, in practice. */
const CA_DAYS = 3650;

/** The user's certificate authority: signs the leaves of `*.localhost` names, trusted only after `portmate trust`. */
export interface LocalCa {
  /** The folder it lives in, 0700. */
  dir: string;
  /** Its certificate, PEM, in `certFile`. */
  certPem: string;
  certFile: string;
  cert: X509Certificate;
  /** Its private key, in `dir/key.pem` (0600); never printed. */
  key: KeyObject;
  /** Its subject, the issuer of its leaves. */
  subject: Der;
  keyId: Buffer;
}

/** The CA's folder under the state folder. */
export function caDir(layout: StateLayout): string {
  return join(layout.root, "ca");
}

function owner(): string {
  let user: string;
  try {
    user = userInfo().username;
  } catch {
    user = process.env.USER ?? "user";
  }
  return `${user}@${hostname()}`;
}

/** The CA's common name, `portmate local CA (user@host)`: also the name trust stores keep it under. */
export function caCommonName(): string {
  // A common name is at most 64 characters (RFC 5280's ub-common-name).
  return `portmate local CA (${owner()})`.slice(0, 64);
}

/** Writes a new CA into `dir` (a fresh folder). */
function createCa(dir: string, now: Date): void {
  const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const name = distinguishedName({ organization: "portmate", commonName: caCommonName() });
  const certPem = signCertificate({
    subject: name,
    issuer: name,
    publicKey,
    signingKey: privateKey,
    notBefore: new Date(now.getTime() - 60 * 60 * 1000),
    notAfter: new Date(now.getTime() + CA_DAYS * DAY),
    extensions: [basicConstraints(true), keyUsage("keyCertSign", "cRLSign"), subjectKeyIdentifier(keyIdentifier(publicKey)), localhostOnly()],
  });
  writeFileSync(join(dir, "key.pem"), privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600, flag: "wx" });
  writeFileSync(join(dir, "ca.pem"), certPem, { mode: 0o600, flag: "wx" });
}

function readCa(dir: string, now: Date): LocalCa {
  const certFile = join(dir, "ca.pem");
  try {
    const certPem = readFileSync(certFile, "utf8");
    const cert = new X509Certificate(certPem);
    const key = createPrivateKey(readFileSync(join(dir, "key.pem")));
    if (!cert.checkPrivateKey(key)) throw new Error("its key does not match its certificate");
    if (new Date(cert.validTo) <= now) throw new Error(`it expired on ${cert.validTo}`);
    return { dir, certPem, certFile, cert, key, subject: subjectOf(cert.raw), keyId: keyIdentifier(cert.publicKey) };
  } catch (error) {
    throw new PortmateError(`the local certificate authority in ${dir} cannot be used: ${(error as Error).message}`, ExitCode.serviceFailed, [
      "hint: delete that folder to have a new one made, then run `portmate trust` again",
    ]);
  }
}

/**
 * The user's local CA, made on first use in `ca/` under the state folder and the same one ever after. Made
 * in a folder of its own and renamed into place, so that two processes making it at once agree on one.
 */
export function loadLocalCa(layout: StateLayout, now = new Date()): LocalCa {
  const dir = caDir(layout);
  ensurePrivateDir(layout.root);
  try {
    return readCa(dir, now);
  } catch (error) {
    if (!isMissing(dir)) throw error;
  }
  const fresh = ensurePrivateDir(join(layout.root, `ca.new-${process.pid}-${randomBytes(4).toString("hex")}`));
  try {
    createCa(fresh, now);
    renameSync(fresh, dir);
  } catch (error) {
    // Another process made it first: its CA is the one.
    if (!["EEXIST", "ENOTEMPTY"].includes((error as NodeJS.ErrnoException).code ?? "")) throw error;
  } finally {
    rmSync(fresh, { recursive: true, force: true });
  }
  return readCa(dir, now);
}

/** Whether the user has a local CA already (`portmate trust --remove` makes none). */
export function hasLocalCa(layout: StateLayout): boolean {
  return !isMissing(caDir(layout));
}

function isMissing(dir: string): boolean {
  try {
    readFileSync(join(dir, "ca.pem"));
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ENOENT";
  }
}
