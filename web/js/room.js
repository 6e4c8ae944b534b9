// The open room: history loaded page by page while scrolling up, live
// messages from pushes, sends that survive a reconnection, and detection
// of a removal or block by the owner.

import { ConnectionLostError, ProtocolError, randomUuid } from "./connection.js";
import { compareIds, formatFullTime, formatMessageTime, parseTimestamp } from "./format.js";

// Messages per history request; the protocol allows at most 50.
const PAGE_SIZE = 50;
// Distance from the top of the scroller, in pixels, at which the next
// older page is loaded.
const LOAD_OLDER_THRESHOLD_PX = 120;
// Distance from the bottom, in pixels, within which a new message scrolls
// the view down.
const STICK_TO_BOTTOM_PX = 80;
// The server sends no frame when the owner removes or blocks a member: it
// only ends the subscription. The page therefore checks its membership at
// this interval while a room is open.
// NOTE: a removed member can go on seeing messages for up to this long.
const MEMBERSHIP_CHECK_MS = 3000;
// Wait before resending a message that got 503 Service unavailable.
const SEND_RETRY_MS = 2000;
const NEWEST_FIRST = { field: "id", direction: "DESC" };

export class RoomView {
  // `names` resolves an account id to its username; `onRemoved` runs when
  // this account turns out to be no member of the open room any more.
  constructor(session, elements, names, onRemoved) {
    this.session = session;
    this.el = elements;
    this.names = names;
    this.onRemoved = onRemoved;
    this.room = null;
    this.messages = [];
    this.ids = new Set();
    this.pending = [];
    this.flushing = false;
    this.loadingOlder = false;
    this.hasOlder = false;
    this.removed = false;
    this.subscribed = false;
    this.membershipTimer = null;
    this.el.scroller.addEventListener("scroll", () => this.onScroll());
    this.el.loadOlder.addEventListener("click", () => this.loadOlder());
  }

  get roomId() {
    return this.room?.id ?? null;
  }

  async open(room) {
    this.close();
    this.room = room;
    this.el.list.replaceChildren();
    this.el.notice.hidden = true;
    this.setComposerEnabled(true);
    this.setHistoryState("Loading messages…");
    const roomId = room.id;

    const page = await this.session.request("listMessages", {
      roomId, limit: PAGE_SIZE, orderBy: NEWEST_FIRST,
    });
    if (this.roomId !== roomId) return;
    this.addMessages(page.messages);
    this.hasOlder = page.messages.length === PAGE_SIZE;
    this.updateHistoryState();
    this.scrollToBottom();
    await this.subscribe();
    this.startMembershipChecks();
    this.fillViewport();
  }

  close() {
    if (this.room && this.subscribed && this.session.isOnline()) {
      this.session.request("unsubscribe").catch(() => {});
    }
    this.stopMembershipChecks();
    this.room = null;
    this.messages = [];
    this.ids.clear();
    this.pending = [];
    this.removed = false;
    this.setSubscribed(false);
    this.hasOlder = false;
  }

  // Mirrors the subscription in data-subscribed of the room element, for
  // styles and tests.
  setSubscribed(subscribed) {
    this.subscribed = subscribed;
    this.el.room.dataset.subscribed = String(subscribed);
  }

  // Subscribes to the open room, first replaying every message after the
  // newest one shown, so that nothing sent while the page was away is
  // missed. The replayed messages arrive as pushes before the reply.
  async subscribe() {
    const roomId = this.roomId;
    if (roomId === null || this.removed) return;
    const newest = this.messages.at(-1);
    try {
      await this.session.request("subscribe", { roomId, afterMessageId: newest ? newest.id : "0" });
      if (this.roomId === roomId) this.setSubscribed(true);
    } catch (error) {
      if (error instanceof ProtocolError && error.code === 403) {
        this.markRemoved();
        return;
      }
      throw error;
    }
    this.flushPending();
  }

  // Runs after every reconnection and login.
  async resume() {
    if (this.roomId === null || this.removed) return;
    this.setSubscribed(false);
    try {
      await this.subscribe();
    } catch (error) {
      if (!(error instanceof ConnectionLostError)) this.showNotice(`Resuming the room failed: ${error.message}`);
    }
  }

  onPush(message) {
    if (message.roomId !== this.roomId || this.removed) return;
    const stick = this.isNearBottom();
    this.addMessages([message]);
    if (stick) this.scrollToBottom();
  }

  // Queues a message and sends the queue in order. A message that could
  // not be sent because the connection dropped is sent again after the
  // reconnection with the same clientMessageId, so the server stores it once.
  send(text) {
    if (this.roomId === null || this.removed) return;
    const item = { clientMessageId: randomUuid(), roomId: this.roomId, text, element: null };
    item.element = this.renderPending(text);
    this.el.list.append(item.element);
    this.scrollToBottom();
    this.pending.push(item);
    this.flushPending();
  }

  async flushPending() {
    if (this.flushing) return;
    this.flushing = true;
    try {
      while (this.pending.length > 0 && this.subscribed && this.session.isOnline()) {
        const item = this.pending[0];
        let reply;
        try {
          reply = await this.session.request("send", {
            roomId: item.roomId, message: item.text, clientMessageId: item.clientMessageId,
          });
        } catch (error) {
          if (error instanceof ConnectionLostError) return;
          if (error instanceof ProtocolError && error.code === 503) {
            setTimeout(() => this.flushPending(), SEND_RETRY_MS);
            return;
          }
          this.pending.shift();
          item.element.remove();
          if (error instanceof ProtocolError && error.code === 403) {
            this.markRemoved();
            return;
          }
          this.el.composerError.textContent = `Sending failed: ${error.message}`;
          continue;
        }
        this.pending.shift();
        item.element.remove();
        if (item.roomId !== this.roomId) continue;
        const stick = this.isNearBottom();
        this.addMessages([{
          id: reply.id, senderId: this.session.accountId, roomId: reply.roomId,
          message: item.text, timestamp: reply.timestamp,
        }]);
        if (stick) this.scrollToBottom();
      }
    } finally {
      this.flushing = false;
    }
  }

  // Loads the page of messages before the oldest one shown. It requests the
  // messages at or before the oldest timestamp, newest first, and skips
  // those of that millisecond already shown, so a message sent in the
  // meantime cannot shift the page.
  async loadOlder() {
    if (this.loadingOlder || !this.hasOlder || this.roomId === null || this.removed) return;
    const roomId = this.roomId;
    const oldest = this.messages[0];
    const sameMillisecond = this.messages.filter((m) => m.timestamp === oldest.timestamp).length;
    this.loadingOlder = true;
    this.setHistoryState("Loading older messages…");
    try {
      const page = await this.session.request("listMessages", {
        roomId, to: oldest.timestamp, timezone: "UTC", offset: sameMillisecond,
        limit: PAGE_SIZE, orderBy: NEWEST_FIRST,
      });
      if (this.roomId !== roomId) return;
      const scroller = this.el.scroller;
      const heightBefore = scroller.scrollHeight;
      this.addMessages(page.messages);
      scroller.scrollTop += scroller.scrollHeight - heightBefore;
      this.hasOlder = page.messages.length === PAGE_SIZE;
    } catch (error) {
      if (!(error instanceof ConnectionLostError)) {
        this.showNotice(`Loading older messages failed: ${error.message}`);
      }
    } finally {
      this.loadingOlder = false;
      this.updateHistoryState();
    }
    this.fillViewport();
  }

  // Loads older pages until the messages overflow the scroller, because a
  // scroller without a scroll bar never fires the scroll event.
  fillViewport() {
    const scroller = this.el.scroller;
    if (this.hasOlder && scroller.scrollHeight <= scroller.clientHeight) this.loadOlder();
  }

  onScroll() {
    if (this.el.scroller.scrollTop < LOAD_OLDER_THRESHOLD_PX) this.loadOlder();
  }

  // Adds messages in id order, which is the room's order, and skips ids
  // already shown: the sender's own message arrives both as the send reply
  // and as a push, and a replay after a reconnection can repeat one.
  addMessages(messages) {
    for (const message of messages) {
      if (this.ids.has(message.id)) continue;
      this.ids.add(message.id);
      let index = this.messages.length;
      while (index > 0 && compareIds(this.messages[index - 1].id, message.id) > 0) index -= 1;
      this.messages.splice(index, 0, message);
      const element = this.renderMessage(message);
      const next = this.messages[index + 1];
      const before = next ? this.el.list.querySelector(`[data-id="${next.id}"]`) : this.firstPendingElement();
      this.el.list.insertBefore(element, before);
    }
    if (!this.loadingOlder) this.updateHistoryState();
  }

  firstPendingElement() {
    return this.pending.find((item) => item.element.isConnected)?.element ?? null;
  }

  renderMessage(message) {
    const item = document.createElement("li");
    item.className = "message";
    item.dataset.id = message.id;
    if (message.senderId === this.session.accountId) item.classList.add("own");

    const meta = document.createElement("div");
    meta.className = "message-meta";
    const sender = document.createElement("span");
    sender.className = "sender";
    sender.textContent = `Account ${message.senderId}`;
    this.names(message.senderId).then((name) => { sender.textContent = name; }, () => {});
    const time = document.createElement("time");
    const date = parseTimestamp(message.timestamp);
    time.dateTime = date.toISOString();
    time.textContent = formatMessageTime(date);
    time.title = formatFullTime(date);
    meta.append(sender, " ", time);

    const text = document.createElement("p");
    text.className = "message-text";
    text.textContent = message.message;
    item.append(meta, text);
    return item;
  }

  renderPending(text) {
    const item = document.createElement("li");
    item.className = "message own pending";
    const meta = document.createElement("div");
    meta.className = "message-meta";
    meta.textContent = "Sending…";
    const body = document.createElement("p");
    body.className = "message-text";
    body.textContent = text;
    item.append(meta, body);
    return item;
  }

  startMembershipChecks() {
    this.stopMembershipChecks();
    this.membershipTimer = setInterval(() => this.checkMembership(), MEMBERSHIP_CHECK_MS);
  }

  stopMembershipChecks() {
    if (this.membershipTimer !== null) clearInterval(this.membershipTimer);
    this.membershipTimer = null;
  }

  async checkMembership() {
    const roomId = this.roomId;
    if (roomId === null || this.removed || !this.session.isOnline()) return;
    try {
      await this.session.request("getRoomMembers", { roomId, limit: 1 });
    } catch (error) {
      if (this.roomId === roomId && error instanceof ProtocolError && error.code === 403) this.markRemoved();
    }
  }

  // Ends the room on this page: no further message is shown, and the
  // composer is disabled.
  markRemoved() {
    if (this.removed) return;
    this.removed = true;
    this.stopMembershipChecks();
    for (const item of this.pending) item.element.remove();
    this.pending = [];
    if (this.subscribed && this.session.isOnline()) this.session.request("unsubscribe").catch(() => {});
    this.setSubscribed(false);
    this.setComposerEnabled(false);
    this.showNotice("You are no longer a member of this room: the owner removed or blocked you. "
      + "New messages of this room are not shown.");
    this.onRemoved(this.roomId);
  }

  showNotice(text) {
    this.el.notice.textContent = text;
    this.el.notice.hidden = false;
  }

  setComposerEnabled(enabled) {
    for (const control of this.el.composer.elements) control.disabled = !enabled;
  }

  updateHistoryState() {
    this.el.loadOlder.hidden = !this.hasOlder;
    if (this.messages.length === 0) this.setHistoryState("No messages yet.");
    else this.setHistoryState(this.hasOlder ? "" : "This is the start of the room.");
  }

  setHistoryState(text) {
    this.el.historyState.textContent = text;
  }

  isNearBottom() {
    const scroller = this.el.scroller;
    return scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < STICK_TO_BOTTOM_PX;
  }

  scrollToBottom() {
    this.el.scroller.scrollTop = this.el.scroller.scrollHeight;
  }
}
