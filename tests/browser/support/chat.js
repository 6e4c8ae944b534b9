// Actions and reads on the web client's page, as a user performs them.

import { randomBytes } from "node:crypto";

export const PASSWORD = "correct-horse-battery";

// A name of 8 to 64 characters that no earlier run used.
export function uniqueName(prefix) {
  return `${prefix}-${randomBytes(4).toString("hex")}`;
}

export async function signUp(page, username) {
  await page.locator("#signup-username").fill(username);
  await page.locator("#signup-email").fill(`${username}@example.com`);
  await page.locator("#signup-password").fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await page.locator("#account-name", { hasText: username }).waitFor();
}

export async function createRoom(page, name, description) {
  await page.locator("#room-name").fill(name);
  if (description) await page.locator("#room-description").fill(description);
  await page.getByRole("button", { name: "Create room" }).click();
  await page.locator("#room-title", { hasText: name }).waitFor();
  await waitForSubscribed(page);
}

export async function joinRoom(page, name) {
  await page.getByLabel("Search rooms by name or description").fill(name);
  await page.getByRole("button", { name: "Search", exact: true }).click();
  await page.getByRole("button", { name: `Join ${name}` }).click();
  await page.locator("#room-title", { hasText: name }).waitFor();
  await waitForSubscribed(page);
}

export async function openRoom(page, name) {
  await page.locator("#my-rooms").getByRole("button", { name: `Open ${name}` }).click();
  await page.locator("#room-title", { hasText: name }).waitFor();
  await waitForSubscribed(page);
}

// The page marks the open room with data-subscribed="true" once the
// subscribe request succeeded.
async function waitForSubscribed(page) {
  await page.locator('#room[data-subscribed="true"]').waitFor();
}

export async function sendMessage(page, text) {
  const box = page.getByLabel("Message", { exact: true });
  await box.fill(text);
  await box.press("Enter");
}

// Texts of the messages shown in the open room, in page order, without the
// ones still being sent.
export function messageTexts(page) {
  return page.$$eval("#message-list .message:not(.pending) .message-text", (items) =>
    items.map((item) => item.textContent));
}

export async function waitForMessageCount(page, count, timeout = 30000) {
  await page.waitForFunction(
    (expected) => document.querySelectorAll("#message-list .message:not(.pending)").length >= expected,
    count,
    { timeout },
  );
}

// Sends `count` messages "<prefix> 1" ... to the room `roomName` over a
// WebSocket of the page's own, as another client of the same account would,
// so that the room has history before the page opens it.
export async function sendThroughSocket(page, { url, username, roomName, texts }) {
  await page.evaluate(async ({ url, username, password, roomName, texts }) => {
    const socket = new WebSocket(url);
    await new Promise((resolve, reject) => {
      socket.onopen = resolve;
      socket.onerror = () => reject(new Error(`connecting to ${url} failed`));
    });
    let next = 0;
    const waiting = new Map();
    socket.onmessage = (event) => {
      const frame = JSON.parse(event.data);
      const done = waiting.get(frame.cid);
      if (!done) return;
      waiting.delete(frame.cid);
      if (frame.qualifier === "v1/syemessenger/error") done.reject(new Error(frame.data.errorMessage));
      else done.resolve(frame.data);
    };
    const request = (operation, data) => new Promise((resolve, reject) => {
      next += 1;
      const cid = `00000000-0000-4000-8000-${String(next).padStart(12, "0")}`;
      waiting.set(cid, { resolve, reject });
      socket.send(JSON.stringify({ cid, qualifier: `v1/syemessenger/${operation}`, data }));
    });
    await request("login", { username, password });
    const rooms = await request("listRooms", { keyword: roomName });
    const room = rooms.roomInfos.find((candidate) => candidate.name === roomName);
    for (const text of texts) await request("send", { roomId: room.id, message: text });
    socket.close();
  }, { url, username, password: PASSWORD, roomName, texts });
}
