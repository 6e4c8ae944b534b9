// The page's session with the cluster: one connection at a time, the login
// by token, and reconnection with capped, jittered exponential backoff to
// the same node or to another node learned from GET /nodes.

import { Connection, ConnectionLostError, ProtocolError } from "./connection.js";

const TOKEN_KEY = "parley.token";
// Reconnection delays: the n-th attempt waits a random time between
// MIN_DELAY_MS and min(MAX_DELAY_MS, BASE_DELAY_MS * 2^n), so clients that
// lost the same node do not all reconnect in the same instant.
const BASE_DELAY_MS = 250;
const MAX_DELAY_MS = 8000;
const MIN_DELAY_MS = 100;
const NODES_TIMEOUT_MS = 3000;
// Close code and reason of a connection that did not log in in time.
const LOGIN_TIMEOUT_CODE = 1008;
const LOGIN_TIMEOUT_REASON = "login timeout";

export function reconnectDelay(attempt, random = Math.random) {
  const ceiling = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** attempt);
  return Math.max(MIN_DELAY_MS, Math.floor(random() * ceiling));
}

// The WebSocket URL of the node that served this page.
export function pageWebSocketUrl(location) {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}/`;
}

// The URL of GET /nodes on the node behind a WebSocket URL.
function nodesUrl(webSocketUrl) {
  const url = new URL(webSocketUrl);
  url.protocol = url.protocol === "wss:" ? "https:" : "http:";
  url.pathname = "/nodes";
  url.search = "";
  return url.toString();
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// Events (all CustomEvent, details in brackets):
//   "state"   the connection state changed [{ state }]: "connecting",
//             "online", "reconnecting", or "idle" (closed while logged
//             out, and opened again by the next request)
//   "account" the login changed [{ accountId }], null when logged out
//   "ready"   a connection is open and its login, if any, is restored; the
//             app resubscribes here after every reconnection
//   "push"    a room message arrived [{ message }]
export class Session extends EventTarget {
  constructor(firstUrl, storage = window.localStorage) {
    super();
    this.storage = storage;
    this.nodes = [firstUrl];
    this.currentUrl = firstUrl;
    this.connection = null;
    this.state = "connecting";
    this.accountId = null;
    this.connecting = null;
    this.loginFailures = 0;
  }

  get token() {
    return this.storage.getItem(TOKEN_KEY);
  }

  start() {
    this.connect();
  }

  isOnline() {
    return this.state === "online";
  }

  // Sends a request on the current connection. Rejects with
  // ConnectionLostError while reconnecting. In the "idle" state it first
  // opens a new connection.
  async request(operation, data) {
    if (this.state === "idle") await this.connect();
    if (!this.connection || this.state !== "online") throw new ConnectionLostError();
    return this.connection.request(operation, data);
  }

  // Logs in with a username, or with an e-mail when `name` contains "@",
  // then creates a token so that a reload or a reconnection logs in again
  // without the password.
  async login(name, password) {
    const credentials = name.includes("@") ? { email: name, password } : { username: name, password };
    const accountId = await this.request("login", credentials);
    const { token } = await this.request("createToken");
    this.storage.setItem(TOKEN_KEY, token);
    this.setAccount(accountId);
    return accountId;
  }

  // Ends the login and revokes the token on the server. The token is
  // forgotten locally even when the server cannot be reached, and revoking
  // it then fails, so a shared computer keeps no usable token.
  async logout() {
    const hadToken = this.token !== null;
    this.storage.removeItem(TOKEN_KEY);
    try {
      await this.request("logout");
    } catch (error) {
      if (hadToken) console.warn("logout failed; the token stays valid until it expires", error);
    }
    this.setAccount(null);
  }

  setAccount(accountId) {
    this.accountId = accountId;
    this.dispatchEvent(new CustomEvent("account", { detail: { accountId } }));
  }

  setState(state) {
    if (this.state === state) return;
    this.state = state;
    this.dispatchEvent(new CustomEvent("state", { detail: { state } }));
  }

  // Candidate nodes in the order to try: the node last used first, then
  // the others as GET /nodes listed them.
  candidates() {
    const rest = this.nodes.filter((url) => url !== this.currentUrl);
    return [this.currentUrl, ...rest];
  }

  // Connects, logs in with the stored token and dispatches "ready". Calls
  // made while a connection attempt runs share it.
  connect() {
    if (!this.connecting) {
      this.connecting = this.runConnect().finally(() => {
        this.connecting = null;
      });
    }
    return this.connecting;
  }

  async runConnect() {
    if (this.state === "idle") this.setState("connecting");
    let attempt = 0;
    for (;;) {
      const candidates = this.candidates();
      const url = candidates[attempt % candidates.length];
      try {
        const connection = await Connection.open(url, {
          onPush: (message) => this.dispatchEvent(new CustomEvent("push", { detail: { message } })),
          onClose: (event) => this.onClose(connection, event),
        });
        this.connection = connection;
        this.currentUrl = url;
        break;
      } catch (error) {
        attempt += 1;
        const delay = reconnectDelay(attempt);
        console.info(`connecting to ${url} failed (${error.message}); attempt ${attempt + 1} in ${delay} ms`);
        await sleep(delay);
      }
    }
    this.setState("online");
    this.refreshNodes(this.currentUrl);
    await this.restoreLogin();
    if (this.connection && this.connection.socket.readyState === WebSocket.OPEN) {
      this.dispatchEvent(new CustomEvent("ready"));
    }
  }

  // Logs the new connection in with the stored token. A token the server
  // rejects (expired or revoked) is dropped, and the page shows the login
  // form again.
  async restoreLogin() {
    const token = this.token;
    if (token === null) {
      this.setAccount(null);
      return;
    }
    const connection = this.connection;
    try {
      const accountId = await connection.request("loginWithToken", { token });
      this.loginFailures = 0;
      this.setAccount(accountId);
    } catch (error) {
      if (error instanceof ProtocolError && error.code === 401) {
        this.storage.removeItem(TOKEN_KEY);
        this.setAccount(null);
      } else if (error instanceof ProtocolError) {
        // 429 or 503: the token may still be valid, so the page keeps it and
        // tries again on a new connection, after a backoff delay.
        this.loginFailures += 1;
        const delay = reconnectDelay(this.loginFailures);
        console.warn(`loginWithToken failed with ${error.code} ${error.message}; reconnecting in ${delay} ms`);
        await sleep(delay);
        connection.close();
      }
    }
  }

  onClose(connection, event) {
    if (connection !== this.connection) return;
    console.info(`connection to ${connection.url} closed with code ${event.code} ${event.reason}`);
    this.connection = null;
    // A node closes connections that do not log in within its login
    // timeout. While no account is logged in, the page waits for the next
    // request (a login or sign-up) instead of reconnecting in a loop.
    if (event.code === LOGIN_TIMEOUT_CODE && event.reason === LOGIN_TIMEOUT_REASON && this.accountId === null) {
      this.setState("idle");
      return;
    }
    this.setState("reconnecting");
    this.connect();
  }

  // Learns the public URLs of the live nodes from GET /nodes, for the next
  // reconnection. A failure keeps the list known so far.
  async refreshNodes(fromUrl) {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), NODES_TIMEOUT_MS);
    try {
      const response = await fetch(nodesUrl(fromUrl), { signal: abort.signal, cache: "no-store" });
      if (!response.ok) throw new Error(`GET /nodes returned ${response.status}`);
      const { nodes } = await response.json();
      const urls = nodes.map((node) => node.url).filter((url) => typeof url === "string");
      if (urls.length > 0) this.nodes = [...new Set([fromUrl, ...urls])];
    } catch (error) {
      console.info(`GET /nodes from ${fromUrl} failed: ${error.message}`);
    } finally {
      clearTimeout(timer);
    }
  }
}
