// Entry point of the web client: wires the session to the views.

import { ConnectionLostError, ProtocolError } from "./connection.js";
import { MembersPanel } from "./members.js";
import { RoomView } from "./room.js";
import { Session, pageWebSocketUrl } from "./session.js";

const ROOMS_PAGE_SIZE = 50;
const SEARCH_PAGE_SIZE = 10;

const byId = (id) => document.getElementById(id);

const session = new Session(pageWebSocketUrl(window.location));
const accountNames = new Map();
let username = null;
let myRoomIds = new Set();
let myRoomsOffset = 0;
let search = { keyword: "", offset: 0, total: 0 };

// Resolves an account id to its username, asking the server once per id.
function nameOf(accountId) {
  if (!accountNames.has(accountId)) {
    const lookup = session.request("getAccount", accountId).then((account) => account.username);
    lookup.catch(() => accountNames.delete(accountId));
    accountNames.set(accountId, lookup);
  }
  return accountNames.get(accountId);
}

const roomView = new RoomView(session, {
  room: byId("room"),
  scroller: byId("message-scroller"),
  list: byId("message-list"),
  loadOlder: byId("load-older"),
  historyState: byId("history-state"),
  notice: byId("room-notice"),
  composer: byId("composer"),
  composerError: byId("composer-error"),
}, nameOf, () => {
  closeMembersPanel();
  byId("members-button").hidden = true;
  loadMyRooms(true);
});

const membersPanel = new MembersPanel(session, {
  members: byId("member-list"),
  membersMore: byId("members-more"),
  blocked: byId("blocked-list"),
  blockedMore: byId("blocked-more"),
  blockedEmpty: byId("blocked-empty"),
  error: byId("members-error"),
});

// Text of an error for the user: the server's errorMessage, or a note that
// the connection is down.
function describe(error) {
  if (error instanceof ProtocolError) return error.message;
  if (error instanceof ConnectionLostError) return "Not connected. Wait for the connection to come back and try again.";
  return `Something went wrong: ${error.message}`;
}

// Shows an error reply next to the field it names ("Missing or invalid:
// username", "Invalid: email"), or under the form when it names none.
function showFormError(form, prefix, error) {
  const match = error instanceof ProtocolError ? /^(?:Missing or invalid|Invalid): (\w+)$/.exec(error.message) : null;
  const input = match ? byId(`${prefix}-${match[1]}`) : null;
  if (input) {
    byId(`${prefix}-${match[1]}-error`).textContent = error.message;
    input.setAttribute("aria-invalid", "true");
    input.focus();
    return;
  }
  byId(`${prefix}-error`).textContent = describe(error);
}

function clearFormErrors(form) {
  for (const element of form.querySelectorAll(".field-error, .form-error")) element.textContent = "";
  for (const input of form.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
}

const STATE_TEXT = {
  connecting: "Connecting…",
  online: "Connected",
  reconnecting: "Connection lost. Reconnecting…",
  idle: "Not connected. Logging in connects again.",
};

function showConnectionState(state) {
  const element = byId("connection-state");
  element.dataset.state = state;
  element.textContent = state === "online" ? `Connected to ${new URL(session.currentUrl).host}` : STATE_TEXT[state];
  document.body.classList.toggle("offline", state !== "online");
}

function showAuthView() {
  username = null;
  roomView.close();
  closeRoom();
  byId("chat-view").hidden = true;
  byId("account-bar").hidden = true;
  byId("auth-view").hidden = false;
}

async function enterChat() {
  const account = await session.request("getAccount", session.accountId);
  username = account.username;
  accountNames.set(account.id, Promise.resolve(account.username));
  byId("account-name").textContent = username;
  byId("account-bar").hidden = false;
  byId("auth-view").hidden = true;
  byId("chat-view").hidden = false;
  await Promise.all([loadMyRooms(true), runSearch(search.keyword, search.offset)]);
}

function roomListItem(room, actions) {
  const item = document.createElement("li");
  item.className = "room-item";
  item.dataset.roomId = room.id;
  const text = document.createElement("div");
  text.className = "room-item-text";
  const name = document.createElement("span");
  name.className = "room-name";
  name.textContent = room.name;
  const detail = document.createElement("span");
  detail.className = "muted room-detail";
  detail.textContent = room.description ? `${room.description} · by ${room.owner}` : `by ${room.owner}`;
  text.append(name, detail);
  item.append(text, ...actions);
  return item;
}

function button(label, accessibleLabel, onClick) {
  const element = document.createElement("button");
  element.type = "button";
  element.textContent = label;
  element.setAttribute("aria-label", accessibleLabel);
  element.addEventListener("click", onClick);
  return element;
}

async function loadMyRooms(fromStart) {
  if (fromStart) myRoomsOffset = 0;
  const page = await session.request("getRooms", {
    offset: myRoomsOffset, limit: ROOMS_PAGE_SIZE, orderBy: { field: "name" },
  });
  const list = byId("my-rooms");
  if (fromStart) {
    list.replaceChildren();
    myRoomIds = new Set();
  }
  for (const room of page.roomInfos) {
    myRoomIds.add(room.id);
    const item = roomListItem(room, [button("Open", `Open ${room.name}`, () => openRoom(room))]);
    if (room.id === roomView.roomId) item.classList.add("current");
    list.append(item);
  }
  myRoomsOffset += page.roomInfos.length;
  byId("my-rooms-more").hidden = myRoomsOffset >= Number(page.totalCount);
  byId("my-rooms-empty").hidden = Number(page.totalCount) > 0;
  renderSearchActions();
}

async function runSearch(keyword, offset) {
  byId("search-error").textContent = "";
  const request = { offset, limit: SEARCH_PAGE_SIZE, orderBy: { field: "name" } };
  if (keyword !== "") request.keyword = keyword;
  let page;
  try {
    page = await session.request("listRooms", request);
  } catch (error) {
    byId("search-error").textContent = describe(error);
    return;
  }
  search = { keyword, offset, total: Number(page.totalCount), rooms: page.roomInfos };
  const list = byId("search-results");
  list.replaceChildren(...page.roomInfos.map((room) => roomListItem(room, [])));
  renderSearchActions();
  const shown = page.roomInfos.length;
  byId("search-summary").textContent = search.total === 0
    ? "No rooms found."
    : `Rooms ${offset + 1}–${offset + shown} of ${search.total}`;
  byId("search-previous").disabled = offset === 0;
  byId("search-next").disabled = offset + shown >= search.total;
}

// Gives each search result "Open" when this account is a member, else "Join".
function renderSearchActions() {
  for (const item of byId("search-results").children) {
    const room = search.rooms?.find((candidate) => candidate.id === item.dataset.roomId);
    if (!room) continue;
    for (const old of item.querySelectorAll("button")) old.remove();
    const action = myRoomIds.has(room.id)
      ? button("Open", `Open ${room.name}`, () => openRoom(room))
      : button("Join", `Join ${room.name}`, () => joinRoom(room));
    item.append(action);
  }
}

async function joinRoom(room) {
  byId("search-error").textContent = "";
  try {
    await session.request("joinRoom", room.name);
  } catch (error) {
    byId("search-error").textContent = describe(error);
    return;
  }
  await loadMyRooms(true);
  await openRoom(room);
}

function markCurrentRoom(roomId) {
  for (const item of byId("my-rooms").children) {
    item.classList.toggle("current", item.dataset.roomId === roomId);
  }
}

async function openRoom(room) {
  closeMembersPanel();
  byId("room-placeholder").hidden = true;
  byId("room").hidden = false;
  byId("room-title").textContent = room.name;
  byId("room-description-text").textContent = room.description ?? "";
  byId("members-button").hidden = room.owner !== username;
  byId("composer-error").textContent = "";
  byId("chat-view").dataset.pane = "room";
  markCurrentRoom(room.id);
  try {
    await roomView.open(room);
    byId("composer-text").focus();
  } catch (error) {
    roomView.showNotice(`Opening the room failed: ${describe(error)}`);
  }
}

function closeRoom() {
  closeMembersPanel();
  byId("room").hidden = true;
  byId("room-placeholder").hidden = false;
  byId("chat-view").dataset.pane = "rooms";
  markCurrentRoom(null);
}

function closeMembersPanel() {
  membersPanel.hide();
  byId("members-panel").hidden = true;
  byId("members-button").setAttribute("aria-expanded", "false");
}

async function toggleMembersPanel() {
  const panel = byId("members-panel");
  if (!panel.hidden) {
    closeMembersPanel();
    byId("members-button").focus();
    return;
  }
  panel.hidden = false;
  byId("members-button").setAttribute("aria-expanded", "true");
  await membersPanel.show(roomView.room, session.accountId);
  byId("members-close").focus();
}

async function leaveRoom() {
  const room = roomView.room;
  if (!room) return;
  const owner = room.owner === username;
  const question = owner
    ? `You own ${room.name}. Leaving deletes the room and all its messages for everyone. Leave?`
    : `Leave ${room.name}?`;
  if (!window.confirm(question)) return;
  try {
    await session.request("leaveRoom", room.id);
  } catch (error) {
    roomView.showNotice(`Leaving failed: ${describe(error)}`);
    return;
  }
  roomView.close();
  closeRoom();
  await Promise.all([loadMyRooms(true), runSearch(search.keyword, search.offset)]);
}

function bindForms() {
  byId("login-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.currentTarget;
    clearFormErrors(form);
    try {
      await session.login(form.elements.name.value, form.elements.password.value);
      form.reset();
      await enterChat();
    } catch (error) {
      byId("login-error").textContent = describe(error);
    }
  });

  byId("signup-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.currentTarget;
    clearFormErrors(form);
    const { username: name, email, password } = form.elements;
    try {
      await session.request("createAccount", { username: name.value, email: email.value, password: password.value });
      await session.login(name.value, password.value);
      form.reset();
      await enterChat();
    } catch (error) {
      showFormError(form, "signup", error);
    }
  });

  byId("create-room-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.currentTarget;
    clearFormErrors(form);
    const request = { name: form.elements.name.value };
    if (form.elements.description.value !== "") request.description = form.elements.description.value;
    let room;
    try {
      room = await session.request("createRoom", request);
    } catch (error) {
      showFormError(form, "room", error);
      if (!(error instanceof ProtocolError && /: (name|description)$/.test(error.message))) {
        byId("create-room-error").textContent = describe(error);
      }
      return;
    }
    form.reset();
    await Promise.all([loadMyRooms(true), runSearch(search.keyword, search.offset)]);
    await openRoom(room);
  });

  byId("search-form").addEventListener("submit", (event) => {
    event.preventDefault();
    runSearch(byId("search-keyword").value, 0);
  });
  byId("search-previous").addEventListener("click", () => {
    runSearch(search.keyword, Math.max(0, search.offset - SEARCH_PAGE_SIZE));
  });
  byId("search-next").addEventListener("click", () => {
    runSearch(search.keyword, search.offset + SEARCH_PAGE_SIZE);
  });
  byId("my-rooms-more").addEventListener("click", () => loadMyRooms(false));

  const composerText = byId("composer-text");
  byId("composer").addEventListener("submit", (event) => {
    event.preventDefault();
    byId("composer-error").textContent = "";
    const text = composerText.value;
    if (text.trim() === "") return;
    roomView.send(text);
    composerText.value = "";
    composerText.focus();
  });
  composerText.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      byId("composer").requestSubmit();
    }
  });

  byId("logout-button").addEventListener("click", async () => {
    await session.logout();
    showAuthView();
  });
  byId("leave-button").addEventListener("click", leaveRoom);
  byId("members-button").addEventListener("click", toggleMembersPanel);
  byId("members-close").addEventListener("click", toggleMembersPanel);
  byId("back-to-rooms").addEventListener("click", () => {
    byId("chat-view").dataset.pane = "rooms";
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !byId("members-panel").hidden) toggleMembersPanel();
  });
}

session.addEventListener("state", (event) => {
  showConnectionState(event.detail.state);
  if (event.detail.state !== "online") roomView.setSubscribed(false);
});
session.addEventListener("push", (event) => roomView.onPush(event.detail.message));
session.addEventListener("ready", async () => {
  if (session.accountId === null) {
    showAuthView();
    return;
  }
  try {
    if (username === null) await enterChat();
    else await Promise.all([loadMyRooms(true), roomView.resume()]);
  } catch (error) {
    if (!(error instanceof ConnectionLostError)) console.error("restoring the session failed", error);
  }
});

bindForms();
showConnectionState(session.state);
session.start();
