// One WebSocket connection to a Parley node, speaking the JSON envelope
// { cid, qualifier, data } of the client protocol.

const QUALIFIER_PREFIX = "v1/syemessenger/";
const ERROR_QUALIFIER = QUALIFIER_PREFIX + "error";
const PUSH_QUALIFIER = QUALIFIER_PREFIX + "messages";

// A reply of the server to a request that failed, with the server's
// errorCode (a number) and errorMessage.
export class ProtocolError extends Error {
  constructor(code, message) {
    super(message);
    this.name = "ProtocolError";
    this.code = code;
  }
}

// Raised for the requests still waiting when the connection closes.
export class ConnectionLostError extends Error {
  constructor() {
    super("The connection to the server was lost.");
    this.name = "ConnectionLostError";
  }
}

// Returns a random version 4 UUID. crypto.randomUUID() exists only in
// secure contexts, and a node may be opened over plain http on another host.
export function randomUuid() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export class Connection {
  // Opens a WebSocket to `url`. The promise resolves once the socket is
  // open, or rejects when it fails or `openTimeoutMs` passes first.
  static open(url, { onPush, onClose, openTimeoutMs = 5000 }) {
    return new Promise((resolve, reject) => {
      let socket;
      try {
        socket = new WebSocket(url);
      } catch (error) {
        reject(error);
        return;
      }
      const timer = setTimeout(() => {
        socket.close();
        reject(new Error(`opening ${url} timed out after ${openTimeoutMs} ms`));
      }, openTimeoutMs);
      socket.addEventListener("open", () => {
        clearTimeout(timer);
        resolve(new Connection(url, socket, onPush, onClose));
      }, { once: true });
      socket.addEventListener("close", () => {
        clearTimeout(timer);
        reject(new Error(`failed to connect to ${url}`));
      }, { once: true });
    });
  }

  constructor(url, socket, onPush, onClose) {
    this.url = url;
    this.socket = socket;
    this.pending = new Map();
    this.closed = false;
    socket.addEventListener("message", (event) => this.receive(event.data, onPush));
    socket.addEventListener("close", (event) => {
      this.closed = true;
      for (const { reject } of this.pending.values()) reject(new ConnectionLostError());
      this.pending.clear();
      onClose(event);
    });
  }

  // Sends one request and resolves with the reply's data, or rejects with a
  // ProtocolError for an error reply and ConnectionLostError when the
  // connection closes first.
  request(operation, data) {
    if (this.closed || this.socket.readyState !== WebSocket.OPEN) {
      return Promise.reject(new ConnectionLostError());
    }
    const cid = randomUuid();
    const envelope = { cid, qualifier: QUALIFIER_PREFIX + operation };
    if (data !== undefined) envelope.data = data;
    return new Promise((resolve, reject) => {
      this.pending.set(cid, { resolve, reject });
      this.socket.send(JSON.stringify(envelope));
    });
  }

  close() {
    this.socket.close(1000, "closed by the client");
  }

  receive(text, onPush) {
    let frame;
    try {
      frame = JSON.parse(text);
    } catch {
      console.warn("ignoring a frame that is not JSON", text);
      return;
    }
    if (frame.qualifier === PUSH_QUALIFIER && frame.cid === undefined) {
      onPush(frame.data);
      return;
    }
    const waiting = this.pending.get(frame.cid);
    if (!waiting) {
      console.warn("ignoring a reply with an unknown cid", frame);
      return;
    }
    this.pending.delete(frame.cid);
    if (frame.qualifier === ERROR_QUALIFIER) {
      const data = frame.data ?? {};
      waiting.reject(new ProtocolError(Number(data.errorCode), data.errorMessage ?? "Unknown error"));
    } else {
      waiting.resolve(frame.data);
    }
  }
}
