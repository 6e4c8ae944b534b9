// End-to-end tests of the web client against the three-node cluster that
// scripts/test-browser.sh starts. The tests run in order in one process,
// and the last one kills a node.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { DESKTOP, PHONE, openBrowser, screenshot } from "./support/browser.js";
import {
  PASSWORD, createRoom, joinRoom, messageTexts, openRoom, sendMessage, sendThroughSocket, signUp, uniqueName,
  waitForMessageCount,
} from "./support/chat.js";
import { loadCluster } from "./support/cluster.js";

// Generous, because the machine may be busy: a test waits at most
// ACTION_TIMEOUT_MS for one step and fails after TEST_TIMEOUT_MS in all.
const TEST_TIMEOUT_MS = 180000;

const cluster = loadCluster();
const browsers = [];

async function open(nodeIndex, options) {
  const browser = await openBrowser(cluster.nodes[nodeIndex].httpUrl, options);
  browsers.push(browser);
  return browser;
}

async function closeAll() {
  for (const browser of browsers.splice(0)) await browser.close();
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

before(() => {
  assert.equal(cluster.nodes.length, 3, "the tests need a three-node cluster");
});

after(closeAll);

describe("web client", { concurrency: false }, () => {
  after(closeAll);

  test("two users on different nodes chat", { timeout: TEST_TIMEOUT_MS }, async () => {
    const alice = await open(0);
    const bob = await open(1);
    const aliceName = uniqueName("alice");
    const bobName = uniqueName("bob");
    const room = uniqueName("lobby-room");

    // A too short username gets the server's message next to the field.
    await bob.page.locator("#signup-username").fill("bob");
    await bob.page.locator("#signup-email").fill("bob@example.com");
    await bob.page.locator("#signup-password").fill(PASSWORD);
    await bob.page.getByRole("button", { name: "Create account" }).click();
    await bob.page.locator("#signup-username-error", { hasText: "Missing or invalid: username" }).waitFor();
    assert.equal(await bob.page.locator("#signup-username").getAttribute("aria-invalid"), "true");
    await screenshot(bob.page, "signup-error");

    await signUp(alice.page, aliceName);
    await createRoom(alice.page, room, "Where everybody meets");
    await signUp(bob.page, bobName);
    await joinRoom(bob.page, room);

    const expected = [];
    for (let i = 1; i <= 3; i += 1) {
      await sendMessage(alice.page, `alice says ${i}`);
      expected.push(`alice says ${i}`);
      await waitForMessageCount(bob.page, expected.length);
      await sendMessage(bob.page, `bob says ${i}`);
      expected.push(`bob says ${i}`);
      await waitForMessageCount(alice.page, expected.length);
    }
    await waitForMessageCount(bob.page, expected.length);
    assert.deepEqual(await messageTexts(alice.page), expected);
    assert.deepEqual(await messageTexts(bob.page), expected);

    const senders = await bob.page.$$eval("#message-list .sender", (items) => items.map((item) => item.textContent));
    assert.deepEqual(senders.slice(0, 2), [aliceName, bobName]);
    await screenshot(alice.page, "chat-desktop");

    // A reload keeps the login through the stored token and the room list.
    await alice.page.reload();
    await alice.page.locator("#account-name", { hasText: aliceName }).waitFor();
    await openRoom(alice.page, room);
    await waitForMessageCount(alice.page, expected.length);
    assert.deepEqual(await messageTexts(alice.page), expected);

    await bob.page.setViewportSize(PHONE);
    await screenshot(bob.page, "chat-phone");
    await bob.page.getByRole("button", { name: "Rooms", exact: true }).click();
    await screenshot(bob.page, "rooms-phone");
    await bob.page.setViewportSize(DESKTOP);

    // Logging out revokes the token, so a reload shows the login form.
    await bob.page.getByRole("button", { name: "Log out" }).click();
    await bob.page.locator("#login-form").waitFor();
    await bob.page.reload();
    await bob.page.locator("#login-form").waitFor();
    assert.equal(await bob.page.evaluate(() => localStorage.getItem("parley.token")), null);

    // A wrong password shows the server's message; the right one logs in.
    await bob.page.getByLabel("Username or e-mail").fill(bobName);
    await bob.page.locator("#login-password").fill("wrong-password");
    await bob.page.getByRole("button", { name: "Log in" }).click();
    await bob.page.locator("#login-error", { hasText: "Login failed" }).waitFor();
    await bob.page.locator("#login-password").fill(PASSWORD);
    await bob.page.getByRole("button", { name: "Log in" }).click();
    await bob.page.locator("#account-name", { hasText: bobName }).waitFor();
    await bob.page.locator("#my-rooms .room-item", { hasText: room }).waitFor();

    assert.deepEqual(alice.errors, []);
    assert.deepEqual(bob.errors, []);
    await closeAll();
  });

  test("history scroll-back shows each message once", { timeout: TEST_TIMEOUT_MS }, async () => {
    const owner = await open(0);
    const reader = await open(1);
    const ownerName = uniqueName("historian");
    const room = uniqueName("history-room");
    await signUp(owner.page, ownerName);
    await createRoom(owner.page, room);

    // Three pages of 50 and a partial one.
    const expected = Array.from({ length: 173 }, (_, i) => `history ${i + 1}`);
    await sendThroughSocket(owner.page, {
      url: cluster.nodes[0].url, username: ownerName, roomName: room, texts: expected,
    });

    await signUp(reader.page, uniqueName("reader"));
    await joinRoom(reader.page, room);
    await waitForMessageCount(reader.page, 50);
    const firstPage = await messageTexts(reader.page);
    assert.deepEqual(firstPage, expected.slice(-firstPage.length));

    // Scrolls to the top until the page reports the start of the room.
    for (let attempt = 0; attempt < 20; attempt += 1) {
      const state = await reader.page.locator("#history-state").textContent();
      if (state === "This is the start of the room.") break;
      await reader.page.locator("#message-scroller").evaluate((scroller) => { scroller.scrollTop = 0; });
      await sleep(300);
    }
    await reader.page.locator("#history-state", { hasText: "This is the start of the room." }).waitFor();
    const all = await messageTexts(reader.page);
    assert.equal(all.length, expected.length);
    assert.deepEqual(all, expected);

    // Live messages still arrive after the scroll-back, once each.
    await sendMessage(owner.page, "after the history");
    await waitForMessageCount(reader.page, expected.length + 1);
    assert.deepEqual(await messageTexts(reader.page), [...expected, "after the history"]);
    await screenshot(reader.page, "history");
    await closeAll();
  });

  test("removed member sees it and gets no more messages", { timeout: TEST_TIMEOUT_MS }, async () => {
    const owner = await open(0);
    const member = await open(1);
    const ownerName = uniqueName("owner");
    const memberName = uniqueName("member");
    const room = uniqueName("managed-room");
    await signUp(owner.page, ownerName);
    await createRoom(owner.page, room);
    await signUp(member.page, memberName);
    await joinRoom(member.page, room);

    await sendMessage(owner.page, "before the removal");
    await waitForMessageCount(member.page, 1);

    await owner.page.getByRole("button", { name: "Members" }).click();
    const remove = owner.page.getByRole("button", { name: `Remove ${memberName}` });
    await remove.click();
    await owner.page.locator("#member-list .member", { hasText: memberName }).waitFor({ state: "detached" });

    const notice = member.page.locator("#room-notice", { hasText: "no longer a member" });
    await notice.waitFor({ timeout: 30000 });
    assert.equal(await member.page.locator("#composer-text").isDisabled(), true);
    await screenshot(member.page, "removed-member");

    await sendMessage(owner.page, "after the removal");
    await waitForMessageCount(owner.page, 2);
    // Longer than a push takes between nodes on the local cluster.
    await sleep(2000);
    assert.deepEqual(await messageTexts(member.page), ["before the removal"]);

    // The room is gone from the member's list.
    await member.page.locator("#my-rooms .room-item", { hasText: room }).waitFor({ state: "detached" });

    // A removed member may join again. Blocking ends the membership too,
    // and unblocking lifts the block.
    await joinRoom(member.page, room);
    assert.equal(await member.page.locator("#room-notice").isHidden(), true);
    await owner.page.getByRole("button", { name: "Close" }).click();
    await owner.page.getByRole("button", { name: "Members" }).click();
    await owner.page.getByRole("button", { name: `Block ${memberName}` }).click();
    await owner.page.locator("#blocked-list .member", { hasText: memberName }).waitFor();
    await member.page.locator("#room-notice", { hasText: "no longer a member" }).waitFor({ timeout: 30000 });
    await screenshot(owner.page, "owner-members");
    await owner.page.getByRole("button", { name: `Unblock ${memberName}` }).click();
    await owner.page.locator("#blocked-list .member", { hasText: memberName }).waitFor({ state: "detached" });
    await owner.page.locator("#blocked-empty").waitFor();
    await closeAll();
  });

  test("page reconnects after its node is killed", { timeout: TEST_TIMEOUT_MS }, async () => {
    const killedNode = 2;
    const alice = await open(killedNode);
    const bob = await open(0);
    const aliceName = uniqueName("survivor");
    const room = uniqueName("failover-room");
    await signUp(alice.page, aliceName);
    await createRoom(alice.page, room);
    await signUp(bob.page, uniqueName("witness"));
    await joinRoom(bob.page, room);

    const expected = ["before 1", "before 2"];
    await sendMessage(alice.page, expected[0]);
    await sendMessage(bob.page, expected[1]);
    await waitForMessageCount(alice.page, 2);
    await waitForMessageCount(bob.page, 2);

    // Offline first, so the page cannot reconnect before the messages below
    // are sent, and the resumed subscription has to replay them.
    await alice.context.setOffline(true);
    cluster.kill(killedNode);
    const state = alice.page.locator("#connection-state");
    await alice.page.locator("#connection-state[data-state=reconnecting]").waitFor({ timeout: 30000 });
    assert.match(await state.textContent(), /Reconnecting/);
    await screenshot(alice.page, "reconnecting");

    for (const text of ["while away 1", "while away 2", "while away 3"]) {
      await sendMessage(bob.page, text);
      expected.push(text);
    }
    await waitForMessageCount(bob.page, expected.length);
    assert.equal(await state.getAttribute("data-state"), "reconnecting");
    // Typed while the connection is down: sent after the reconnection.
    await sendMessage(alice.page, "sent while reconnecting");
    expected.push("sent while reconnecting");

    await alice.context.setOffline(false);
    await alice.page.locator("#connection-state[data-state=online]").waitFor({ timeout: 30000 });
    const killedHost = new URL(cluster.nodes[killedNode].url).host;
    assert.doesNotMatch(await state.textContent(), new RegExp(killedHost.replace(".", "\\.")));

    await waitForMessageCount(alice.page, expected.length);
    await waitForMessageCount(bob.page, expected.length);
    await sendMessage(bob.page, "after the reconnection");
    expected.push("after the reconnection");
    await waitForMessageCount(alice.page, expected.length);
    await waitForMessageCount(bob.page, expected.length);
    assert.deepEqual(await messageTexts(alice.page), expected);
    assert.deepEqual(await messageTexts(bob.page), expected);
    await screenshot(alice.page, "reconnected");
    await closeAll();
  });
});
