// The owner's member management for the open room: the members and the
// blocked accounts, each list paged, with remove, block and unblock.

import { ProtocolError } from "./connection.js";

const PAGE_SIZE = 50;

export class MembersPanel {
  constructor(session, elements) {
    this.session = session;
    this.el = elements;
    this.room = null;
    this.ownerId = null;
    this.memberOffset = 0;
    this.blockedOffset = 0;
    this.el.membersMore.addEventListener("click", () => this.loadMembers(false));
    this.el.blockedMore.addEventListener("click", () => this.loadBlocked(false));
  }

  // Shows the lists of `room`, which the account `ownerId` owns.
  async show(room, ownerId) {
    this.room = room;
    this.ownerId = ownerId;
    await this.refresh();
  }

  hide() {
    this.room = null;
  }

  async refresh() {
    this.el.error.textContent = "";
    await Promise.all([this.loadMembers(true), this.loadBlocked(true)]);
  }

  async loadMembers(fromStart) {
    if (this.room === null) return;
    if (fromStart) this.memberOffset = 0;
    const roomId = this.room.id;
    try {
      const page = await this.session.request("getRoomMembers", {
        roomId, offset: this.memberOffset, limit: PAGE_SIZE, orderBy: { field: "username" },
      });
      if (this.room?.id !== roomId) return;
      if (fromStart) this.el.members.replaceChildren();
      for (const account of page.accountInfos) this.el.members.append(this.renderMember(account));
      this.memberOffset += page.accountInfos.length;
      this.el.membersMore.hidden = this.memberOffset >= Number(page.totalCount);
    } catch (error) {
      this.showError(error);
    }
  }

  async loadBlocked(fromStart) {
    if (this.room === null) return;
    if (fromStart) this.blockedOffset = 0;
    const roomId = this.room.id;
    try {
      const page = await this.session.request("getBlockedMembers", {
        roomId, offset: this.blockedOffset, limit: PAGE_SIZE, orderBy: { field: "username" },
      });
      if (this.room?.id !== roomId) return;
      if (fromStart) this.el.blocked.replaceChildren();
      for (const account of page.accountInfos) this.el.blocked.append(this.renderBlocked(account));
      this.blockedOffset += page.accountInfos.length;
      this.el.blockedMore.hidden = this.blockedOffset >= Number(page.totalCount);
      this.el.blockedEmpty.hidden = Number(page.totalCount) > 0;
    } catch (error) {
      this.showError(error);
    }
  }

  renderMember(account) {
    const item = this.renderAccount(account);
    if (account.id === this.ownerId) {
      const badge = document.createElement("span");
      badge.className = "badge";
      badge.textContent = "owner";
      item.querySelector(".account-name").append(" ", badge);
      return item;
    }
    item.append(
      this.actionButton("Remove", account, "removeRoomMembers"),
      this.actionButton("Block", account, "blockRoomMembers"),
    );
    return item;
  }

  renderBlocked(account) {
    const item = this.renderAccount(account);
    item.append(this.actionButton("Unblock", account, "unblockRoomMembers"));
    return item;
  }

  renderAccount(account) {
    const item = document.createElement("li");
    item.className = "member";
    item.dataset.accountId = account.id;
    const name = document.createElement("span");
    name.className = "account-name";
    name.textContent = account.username;
    item.append(name);
    return item;
  }

  actionButton(label, account, operation) {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = label;
    button.setAttribute("aria-label", `${label} ${account.username}`);
    button.addEventListener("click", async () => {
      button.disabled = true;
      try {
        await this.session.request(operation, { roomId: this.room.id, memberIds: [account.id] });
        await this.refresh();
      } catch (error) {
        button.disabled = false;
        this.showError(error);
      }
    });
    return button;
  }

  showError(error) {
    const text = error instanceof ProtocolError ? error.message : `Request failed: ${error.message}`;
    this.el.error.textContent = text;
  }
}
