// Following by e-mail in a real browser: ask to follow an action, open the confirmation
// link of the message the service really sent (to the test's SMTP sink), press the
// page's one button, see the confirmation page, and find the subscription confirmed;
// opening the page alone confirms nothing. The pages run no script and load nothing
// their Content-Security-Policy refuses. Needs a running service with mail on
// (SCRUTINY_URL, SCRUTINY_ADMIN_PASSWORD) and the directory its SMTP sink writes to
// (SCRUTINY_MAIL_DIR, tests/support/smtp_sink.py); scripts/e2e provides all three.
// Uses Debian's Chromium (CHROMIUM, default /usr/bin/chromium).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";

const base = process.env.SCRUTINY_URL ?? "http://127.0.0.1:8080";
const password = process.env.SCRUTINY_ADMIN_PASSWORD;
const mailDir = process.env.SCRUTINY_MAIL_DIR;
const screenshots = process.env.SCREENSHOT_DIR ?? "../target/e2e";

async function api(path, { method = "GET", token, body } = {}) {
  const headers = { accept: "application/json" };
  if (token) headers.authorization = `Bearer ${token}`;
  if (body) headers["content-type"] = "application/json";
  const response = await fetch(`${base}${path}`, { method, headers, body: body && JSON.stringify(body) });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : null };
}

/** The messages the sink has received for `email`, oldest first. */
function messagesTo(email) {
  return readdirSync(mailDir)
    .filter((name) => name.endsWith(".json"))
    .sort()
    .map((name) => JSON.parse(readFileSync(join(mailDir, name), "utf8")))
    .filter((message) => message.rcpt_tos.includes(email));
}

async function waitForMessageTo(email) {
  const started = Date.now();
  for (;;) {
    const [message] = messagesTo(email);
    if (message) return message;
    assert.ok(Date.now() - started < 30_000, `no message to ${email}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

test("a confirmation link opens a page whose button confirms the subscription", async (t) => {
  if (!mailDir) {
    t.skip("SCRUTINY_MAIL_DIR is unset: the service sends no mail here");
    return;
  }
  assert.ok(password, "SCRUTINY_ADMIN_PASSWORD must be set");
  const signIn = await fetch(`${base}/api/v1/auth/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "password", username: "admin", password }),
  });
  assert.equal(signIn.status, 200);
  const admin = (await signIn.json()).access_token;

  const actions = await api("/api/v1/actions?limit=1");
  assert.equal(actions.status, 200);
  const action = actions.json.items[0];
  assert.ok(action, "the demo data has an action");
  const email = `browser.${Date.now()}@example.org`;
  const asked = await api("/api/v1/subscriptions", {
    method: "POST",
    body: { email, action_id: action.id },
  });
  assert.equal(asked.status, 202, JSON.stringify(asked.json));
  const confirmed = async () => {
    const list = await api(`/api/v1/subscriptions?action_id=${action.id}`, { token: admin });
    assert.equal(list.status, 200);
    const mine = list.json.items.find((item) => item.email === email);
    assert.ok(mine, "the subscription is listed");
    return mine.confirmed;
  };

  const message = await waitForMessageTo(email);
  const link = message.text.split(/\s+/).find((word) => word.includes("/subscriptions/confirm?token="));
  assert.ok(link, `no confirmation link in ${message.text}`);
  assert.ok(link.startsWith(`${base}/`), `${link} is not under ${base}`);

  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 800, height: 900 } });
    const refused = [];
    page.on("console", (entry) => {
      if (/Content Security Policy|Refused to/i.test(entry.text())) refused.push(entry.text());
    });
    const opened = await page.goto(link);
    assert.equal(opened.status(), 200);
    assert.match(opened.headers()["content-type"], /^text\/html; charset=utf-8/);
    await page.getByRole("heading", { level: 1, name: "Confirm you want these e-mails" }).waitFor();
    // The stylesheet applies (the policy allows it by its hash): the button is green.
    const button = page.getByRole("button", { name: "Confirm and start e-mails" });
    assert.equal(await button.evaluate((b) => getComputedStyle(b).backgroundColor), "rgb(0, 112, 60)");
    assert.equal(await confirmed(), false, "opening the link confirmed the subscription");
    mkdirSync(screenshots, { recursive: true });
    await page.screenshot({ path: `${screenshots}/subscription-confirm.png` });

    const [answer] = await Promise.all([page.waitForNavigation(), button.click()]);
    assert.equal(answer.status(), 200);
    await page.getByRole("heading", { level: 1, name: "Confirmed" }).waitFor();
    assert.match(await page.locator("main").innerText(), /You are now following action /);
    assert.equal(await confirmed(), true, "the button did not confirm the subscription");
    await page.screenshot({ path: `${screenshots}/subscription-confirmed.png` });

    // Back and press again: a clear 404 page, and still one confirmed subscription.
    await page.goBack();
    const [again] = await Promise.all([
      page.waitForNavigation(),
      page.getByRole("button", { name: "Confirm and start e-mails" }).click(),
    ]);
    assert.equal(again.status(), 404);
    await page.getByRole("heading", { level: 1, name: "This link does not work" }).waitFor();
    assert.deepEqual(refused, [], "the page broke its own Content-Security-Policy");
  } finally {
    await browser.close();
  }
});
