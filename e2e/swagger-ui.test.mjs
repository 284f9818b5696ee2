// Swagger UI in a real browser: sign in through the OAuth2 password flow with the first
// admin's password, call a protected operation, and see a 200. Needs a running service
// (SCRUTINY_URL) and its first admin password (SCRUTINY_ADMIN_PASSWORD); scripts/e2e
// provides both. Uses Debian's Chromium (CHROMIUM, default /usr/bin/chromium): nothing
// is downloaded.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { chromium } from "playwright-core";

const base = process.env.SCRUTINY_URL ?? "http://127.0.0.1:8080";
const password = process.env.SCRUTINY_ADMIN_PASSWORD;
const screenshots = process.env.SCREENSHOT_DIR ?? "../target/e2e";

test("Swagger UI signs in with a username and password, calls a protected operation and lists the demo questions", async () => {
  assert.ok(password, "SCRUTINY_ADMIN_PASSWORD must be set");
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1600 } });
    await page.goto(`${base}/swagger-ui/`);
    await page.locator(".information-container .title").waitFor();
    assert.match(await page.locator(".information-container .title").innerText(), /Scrutiny/);

    // Authorize: the oauth2 (password flow) scheme.
    await page.locator("button.btn.authorize").first().click();
    const dialog = page.locator(".dialog-ux .modal-ux");
    await dialog.waitFor();
    // The username and password come first, above the bearer field.
    assert.equal(
      await dialog.locator(".auth-container").first().locator("#oauth_username").count(),
      1,
      "the oauth2 (password) scheme is not the first in the Authorize dialog",
    );
    await dialog.locator("#oauth_username").fill("admin");
    await dialog.locator("#oauth_password").fill(password);
    const oauth = dialog.locator(".auth-container").filter({ has: page.locator("#oauth_username") });
    await oauth.locator("button.btn.modal-btn.auth.authorize").click();
    // Signed in, the form gives way to the signed-in user and a Logout button.
    await dialog.locator("button.btn.modal-btn.auth", { hasText: "Logout" }).first().waitFor();
    assert.equal(await dialog.locator(".errors").count(), 0, "the token endpoint refused the sign-in");
    await dialog.locator("button.btn-done").first().click();

    // Execute GET /api/v1/me.
    const operation = page.locator("#operations-auth-get_me");
    await operation.locator(".opblock-summary").click();
    await operation.locator("button.try-out__btn").click();
    await operation.locator("button.execute").click();
    const status = operation.locator(".live-responses-table .response .response-col_status").first();
    await status.waitFor();
    assert.equal((await status.innerText()).trim(), "200");
    const body = await operation.locator(".live-responses-table .response-col_description pre").first().innerText();
    assert.match(body, /"admin"/);

    // "Try it out" on the question list as it comes: no optional filter is filled in,
    // so the demo questions are listed.
    const list = page.locator("#operations-questions-list_questions");
    await list.locator(".opblock-summary").click();
    await list.locator("button.try-out__btn").click();
    for (const filter of ["meeting_id", "recommendation_id", "topic", "asked_from"]) {
      const field = list.locator(`tr[data-param-name="${filter}"] input`);
      if (await field.count()) {
        assert.equal(await field.first().inputValue(), "", `${filter} comes filled in`);
      }
    }
    await list.locator("button.execute").click();
    const listStatus = list.locator(".live-responses-table .response .response-col_status").first();
    await listStatus.waitFor();
    assert.equal((await listStatus.innerText()).trim(), "200");
    const listBody = await list.locator(".live-responses-table .response-col_description pre").first().innerText();
    assert.ok(JSON.parse(listBody).items.length > 0, `the demo questions are not listed: ${listBody.slice(0, 300)}`);

    mkdirSync(screenshots, { recursive: true });
    await page.screenshot({ path: `${screenshots}/swagger-ui-authorized.png`, fullPage: false });
  } finally {
    await browser.close();
  }
});
