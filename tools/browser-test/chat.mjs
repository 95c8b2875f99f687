// Drives the web chat page (web/) in headless Chromium as two users, through the page only:
// sign-up, a chat with an invite, live messages both ways, typing, presence and the assistant's streamed answer.
// Usage: node chat.mjs <baseUrl>   (e.g. http://127.0.0.1:8080, the load balancer of ./chorus)
// Prints one line per step; exit 0 when all pass, 1 when one fails (screenshots in results/), 2 on a hang.

import { chromium } from 'playwright-core';
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const EXPECT_MS = 10_000; // each expectation
const TOTAL_MS = 120_000; // the whole run, whatever hangs
const RESULTS = join(dirname(fileURLToPath(import.meta.url)), 'results');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

const baseUrl = (process.argv[2] || '').replace(/\/+$/, '');
if (!/^https?:\/\/./.test(baseUrl)) {
  console.error('usage: node chat.mjs <baseUrl>   (e.g. http://127.0.0.1:8080)');
  process.exit(2);
}

for (const label of ['A', 'B']) rmSync(join(RESULTS, `user-${label}.png`), { force: true }); // an earlier run's

const problems = []; // console errors and uncaught page errors, from both pages
const warnings = []; // console warnings: shown on failure, not failing by themselves

setTimeout(() => {
  console.log(`not ok - run: not finished after ${TOTAL_MS / 1000} s`);
  printProblems();
  process.exit(2);
}, TOTAL_MS);

const run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const users = {
  A: { label: 'A', name: `Ann ${run}`, email: `ann-${run}@example.com`, password: 'browser-test-A1' },
  B: { label: 'B', name: `Ben ${run}`, email: `ben-${run}@example.com`, password: 'browser-test-B1' },
};
const chatName = `Browser test ${run}`;

let browser;

function printProblems() {
  for (const p of problems) console.log(`#   ${p}`);
  for (const w of warnings) console.log(`#   (warning) ${w}`);
}

async function fail(step, error) {
  const message = String(error?.message || error).split('\n')[0];
  console.log(`not ok - ${step}: ${message}`);
  try {
    mkdirSync(RESULTS, { recursive: true });
    for (const u of Object.values(users)) {
      if (!u.page) continue;
      const file = join(RESULTS, `user-${u.label}.png`);
      await u.page.screenshot({ path: file, fullPage: true, timeout: 5000 });
      console.log(`#   screenshot of ${u.label}: ${file}`);
    }
  } catch (e) {
    console.log(`#   no screenshot: ${String(e?.message || e).split('\n')[0]}`);
  }
  if (problems.length || warnings.length) console.log('#   console errors and page errors:');
  printProblems();
  await browser?.close().catch(() => {});
  process.exit(1);
}

async function step(name, fn) {
  const started = performance.now();
  try {
    await fn();
  } catch (e) {
    await fail(name, e);
  }
  console.log(`ok  - ${name} (${Math.round(performance.now() - started)} ms)`);
}

function check(condition, message) {
  if (!condition) throw new Error(message);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const byTestId = (page, id) => page.locator(`[data-testid="${id}"]`);

// A message in the open chat's list whose text contains `text`.
const messageWith = (page, text) => byTestId(page, 'messages').locator('[data-testid="message"]', { hasText: text });

async function openPage(u) {
  // Small enough that the test's chat overflows its scroller, so scrolling to new entries matters.
  const context = await browser.newContext({ viewport: { width: 900, height: 480 } });
  context.setDefaultTimeout(EXPECT_MS);
  const page = await context.newPage();
  page.on('console', (msg) => {
    const where = msg.location()?.url ? ` (${msg.location().url}:${msg.location().lineNumber})` : '';
    if (msg.type() === 'error') problems.push(`${u.label} console error: ${msg.text()}${where}`);
    if (msg.type() === 'warning') warnings.push(`${u.label} console warning: ${msg.text()}${where}`);
  });
  page.on('pageerror', (err) => problems.push(`${u.label} uncaught: ${String(err?.message || err).split('\n')[0]}`));
  u.page = page;
  return page;
}

async function signUp(u) {
  const page = await openPage(u);
  await page.goto(`${baseUrl}/`);
  await byTestId(page, 'email').fill(u.email);
  await byTestId(page, 'password').fill(u.password);
  await byTestId(page, 'display-name').fill(u.name);
  await byTestId(page, 'sign-up').click();
  await page.locator(`[data-testid="me"]:text-is("${u.name}")`).waitFor();
  await page.locator('[data-testid="status"][data-state="online"]').waitFor();
  // Set once, checked at the end: a reload or navigation would lose it.
  await page.evaluate(() => { window.chorusBrowserTest = true; });
}

async function openChatIsLive(page) {
  await page.locator(`[data-testid="chat-title"]:text-is("${chatName}")`).waitFor();
  await page.locator('[data-testid="chat"][data-live="true"]').waitFor();
}

// Sends with the composer (Enter) and returns when the sender sees the message in the list.
async function send(u, text) {
  const input = byTestId(u.page, 'message-input');
  await input.fill(text);
  await input.press('Enter');
  await messageWith(u.page, text).waitFor();
}

// Checks that both pages show a message once, not twice (the sender gets both the ack and the message frame).
async function checkOnce(text) {
  for (const u of Object.values(users)) {
    const n = await messageWith(u.page, text).count();
    check(n === 1, `${u.label} shows "${text}" ${n} times`);
  }
}

// Records in the page every text the assistant's answer shows: the streaming one (ai-stream) and the stored one.
function recordAnswers(page) {
  return page.evaluate(() => {
    const seen = [];
    window.chorusAnswers = seen;
    const record = () => {
      for (const n of document.querySelectorAll('[data-testid="ai-stream-text"]')) {
        if (seen.at(-1)?.text !== n.textContent || seen.at(-1)?.kind !== 'stream') seen.push({ kind: 'stream', text: n.textContent });
      }
      for (const n of document.querySelectorAll('[data-testid="message"][data-role="assistant"] [data-testid="message-text"]')) {
        if (!seen.some((s) => s.kind === 'final' && s.text === n.textContent)) seen.push({ kind: 'final', text: n.textContent });
      }
    };
    new MutationObserver(record).observe(document.getElementById('chat'), {
      subtree: true, childList: true, characterData: true,
    });
  });
}

// Checks that partial text of the answer was shown before the stored answer, and nothing but prefixes of it.
async function checkStreamed(u, finalText) {
  const seen = await u.page.evaluate(() => window.chorusAnswers);
  const firstFinal = seen.findIndex((s) => s.kind === 'final' && s.text === finalText);
  check(firstFinal >= 0, `${u.label} never showed the stored answer`);
  const partial = seen.slice(0, firstFinal).filter((s) => s.kind === 'stream' && s.text !== '…' && s.text !== '');
  check(partial.length > 0, `${u.label} showed no partial answer before the stored one (saw ${JSON.stringify(seen)})`);
  const wrong = partial.find((s) => !finalText.startsWith(s.text));
  check(!wrong, `${u.label} streamed "${wrong?.text}", which does not begin the stored answer "${finalText}"`);
  check(partial.some((s) => s.text.length < finalText.length),
    `${u.label} only ever showed the whole answer while streaming (saw ${JSON.stringify(seen)})`);
}

// Checks that the end of an entry is scrolled into the message list's view, where the reader sees it.
async function checkInView(u, locator) {
  const box = await locator.boundingBox();
  const view = await byTestId(u.page, 'messages').locator('xpath=..').boundingBox();
  check(box && view && box.y + box.height <= view.y + view.height + 1 && box.y + box.height > view.y,
    `${u.label} has the answer out of view, below the fold of the message list (scroll down to see it)`);
}

try {
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, timeout: 30_000 });
} catch (e) {
  await fail(`launch Chromium (${CHROMIUM})`, e);
}

const { A, B } = users;

await step('A signs up', () => signUp(A));
await step('B signs up', () => signUp(B));

await step('A creates a chat with the assistant on', async () => {
  await byTestId(A.page, 'new-chat-name').fill(chatName);
  await byTestId(A.page, 'ai-enabled').check();
  await byTestId(A.page, 'create-chat').click();
  await byTestId(A.page, 'chat-list').locator('[data-testid="chat-item"]', { hasText: chatName }).waitFor();
  await openChatIsLive(A.page);
  check(await byTestId(A.page, 'chat-ai-enabled').isChecked(), 'the open chat shows the assistant switched off');
});

let code = '';
await step('A creates an invite and reads its code', async () => {
  await byTestId(A.page, 'invite-create').click();
  await A.page.waitForFunction(() => document.querySelector('[data-testid="invite-code"]')?.textContent.trim(),
    null, { timeout: EXPECT_MS });
  code = (await byTestId(A.page, 'invite-code').textContent()).trim();
  check(/^\S{4,}$/.test(code), `the invite code looks wrong: "${code}"`);
});

await step('B joins with the code and sees the chat in their list', async () => {
  await byTestId(B.page, 'join-code').fill(code);
  await byTestId(B.page, 'join').click();
  await byTestId(B.page, 'chat-list').locator('[data-testid="chat-item"]', { hasText: chatName }).waitFor();
  await openChatIsLive(B.page);
});

const joined = byTestId(A.page, 'messages').locator('[data-testid="message"][data-event="member.joined"]');
await step('A sees B join live', () => joined.waitFor());
// The page looks names up in the member list at most every 3 s, so this can take that long.
await step("A's join notice names B", () => joined.filter({ hasText: B.name }).waitFor());

const hello = `Hello from A ${run}`;
await step("B sees A's message live", async () => {
  await send(A, hello);
  await messageWith(B.page, hello).waitFor();
  await checkOnce(hello);
});

const reply = `Reply from B ${run}`;
await step("A sees B's reply live", async () => {
  await send(B, reply);
  await messageWith(A.page, reply).waitFor();
  await checkOnce(reply);
  const order = await byTestId(A.page, 'messages').locator('[data-testid="message-text"]').allTextContents();
  check(order.indexOf(hello) >= 0 && order.indexOf(hello) < order.indexOf(reply), `A shows the messages out of order: ${JSON.stringify(order)}`);
});

await step('A sees B typing', async () => {
  const input = byTestId(B.page, 'message-input');
  await input.click();
  const shown = byTestId(A.page, 'typing').filter({ hasText: `${B.name} is typing` });
  const deadline = Date.now() + EXPECT_MS;
  // Keep typing, as a person would: the page sends a typing frame at most every 2 s.
  while (!(await shown.isVisible())) {
    check(Date.now() < deadline, `A's typing indicator never named B (it shows "${await byTestId(A.page, 'typing').textContent()}")`);
    await input.press('x');
    await sleep(150);
  }
  await input.fill('');
});

await step('A sees B online, and B sees A', async () => {
  await byTestId(A.page, 'online').locator('li', { hasText: B.name }).waitFor();
  await byTestId(B.page, 'online').locator('li', { hasText: A.name }).waitFor();
});

const prompt = `What is ${run}?`;
await step('A asks the assistant; its answer streams to A and B', async () => {
  await recordAnswers(A.page);
  await recordAnswers(B.page);
  await byTestId(A.page, 'message-input').fill(prompt);
  await byTestId(A.page, 'ask-ai').click();
  await messageWith(B.page, prompt).and(B.page.locator('[data-role="user"]')).waitFor(); // stored as A's message
  // The local provider echoes its context, which ends with the prompt.
  const answers = [A, B].map((u) => byTestId(u.page, 'messages')
    .locator('[data-testid="message"][data-role="assistant"]', { hasText: prompt }));
  await Promise.all(answers.map((a) => a.waitFor()));
  const finalText = (await answers[0].locator('[data-testid="message-text"]').textContent());
  const finalB = (await answers[1].locator('[data-testid="message-text"]').textContent());
  check(finalText === finalB, `A and B show different answers: "${finalText}" and "${finalB}"`);
  for (const u of [A, B]) {
    await byTestId(u.page, 'ai-stream').waitFor({ state: 'detached' });
    await byTestId(u.page, 'cancel-ai').waitFor({ state: 'hidden' });
    await checkStreamed(u, finalText);
    await checkInView(u, answers[u === A ? 0 : 1]);
  }
});

await step('neither page reloaded', async () => {
  for (const u of [A, B]) check(await u.page.evaluate(() => window.chorusBrowserTest === true), `${u.label}'s page was reloaded`);
});

await step('no console errors or uncaught page errors', async () => {
  check(problems.length === 0, `${problems.length} found: ${problems.join(' | ')}`);
});

await browser.close();
process.exit(0);
