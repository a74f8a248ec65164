// Local HTTPS for `*.localhost` names: the user's CA, its leaves, and installing it where browsers read it.
export { loadLocalTls, type LocalTls } from "./local-tls.js";
export { loadLocalCa, caDir, type LocalCa } from "./local-ca.js";
