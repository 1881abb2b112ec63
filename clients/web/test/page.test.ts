// The page in Debian's Chromium (playwright-core) against a real server that test.sh started: RESTOREGRPC_WEB is
// the page's URL, RESTOREGRPC_SHARED the shared models and images, RESTOREGRPC_WEB_OUTPUT where screenshots and
// downloads go. Results the page downloads are compared byte for byte with the unary Restore API's output for the
// same options (called here over gRPC-Web framed by hand, not through the page's code).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { unzipSync } from "fflate";
import { create } from "@bufbuild/protobuf";
import { unary } from "./grpcweb.js";
import { ImageFormat, OutputOptionsSchema } from "../src/gen/restoregrpc/v1/image_pb.js";
import { ListModelsRequestSchema, ListModelsResponseSchema, ModelState } from "../src/gen/restoregrpc/v1/models_pb.js";
import {
  FaceOptionsSchema,
  RestoreRequestSchema,
  RestoreResponseSchema,
  RestoreTask,
  type RestoreOptions,
  RestoreOptionsSchema,
} from "../src/gen/restoregrpc/v1/restore_service_pb.js";

const base = required("RESTOREGRPC_WEB");
const shared = required("RESTOREGRPC_SHARED");
const output = required("RESTOREGRPC_WEB_OUTPUT");
const chromiumPath = process.env.CHROMIUM ?? "/usr/bin/chromium";
const SR_MODEL = "realesrganv2-animevideo-x2";
let browser: Browser;

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set (clients/web/test.sh sets it)`);
  return value;
}

const image = (name: string): Promise<Buffer> => readFile(join(shared, "images", name));

async function restoreUnary(bytes: Uint8Array, options: RestoreOptions): Promise<Uint8Array> {
  const response = await unary(base, "restoregrpc.v1.RestoreService/Restore", RestoreRequestSchema, RestoreResponseSchema, { image: bytes, options });
  return response.image;
}

async function openPage(width = 1280, height = 900): Promise<Page> {
  const context = await browser.newContext({ viewport: { width, height }, acceptDownloads: true });
  const page = await context.newPage();
  page.on("pageerror", (error) => assert.fail(`page error: ${error.message}`));
  await page.goto(base);
  await page.waitForSelector(`#model option[value="${SR_MODEL}"]`, { state: "attached" });
  return page;
}

async function waitForBatch(page: Page): Promise<void> {
  await page.waitForFunction(
    () => [...document.querySelectorAll<HTMLElement>(".item")].every((li) => li.dataset.state === "done" || li.dataset.state === "failed"),
    null,
    { timeout: 180_000, polling: 100 },
  );
}

async function download(page: Page, click: () => Promise<void>): Promise<{ name: string; bytes: Buffer }> {
  const [file] = await Promise.all([page.waitForEvent("download"), click()]);
  const path = join(output, "downloads", file.suggestedFilename());
  await file.saveAs(path);
  return { name: file.suggestedFilename(), bytes: await readFile(path) };
}

before(async () => {
  await mkdir(join(output, "downloads"), { recursive: true });
  browser = await chromium.launch({ executablePath: chromiumPath, args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"] });
  // The models load after the server starts: wait until every one is ready (or failed: the test then says so).
  for (let i = 0; i < 600; i++) {
    const list = await unary(base, "restoregrpc.v1.RestoreService/ListModels", ListModelsRequestSchema, ListModelsResponseSchema, {});
    if (list.models.every((m) => m.state === ModelState.READY || m.state === ModelState.FAILED || m.state === ModelState.MISSING)) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
});

after(async () => {
  await browser?.close();
});

test("a batch: results equal the unary API byte for byte, the broken file is reported and skipped, progress is shown", async () => {
  const page = await openPage();
  await page.selectOption("#model", SR_MODEL);
  await page.selectOption("#task", "sr");
  await page.selectOption("#format", "png");
  const files = ["chelsea.png", "truncated.jpg", "palette_color.png"];
  const buffers = await Promise.all(files.map(image));
  await page.setInputFiles("#files", files.map((name, i) => ({ name, mimeType: name.endsWith(".jpg") ? "image/jpeg" : "image/png", buffer: buffers[i] as Buffer })));
  await page.click("#start");
  await page.waitForSelector('.item[data-state="running"]');
  await page.screenshot({ path: join(output, "01-progress.png"), fullPage: true });
  await waitForBatch(page);
  await page.screenshot({ path: join(output, "02-batch-done.png"), fullPage: true });

  const items = page.locator(".item");
  assert.equal(await items.count(), 3);
  const broken = items.nth(1);
  assert.equal(await broken.getAttribute("data-state"), "failed");
  assert.match(await broken.locator(".state").innerText(), /Failed: .*INVALID_ARGUMENT.*skipped/);

  const options = create(RestoreOptionsSchema, { model: SR_MODEL, task: RestoreTask.SUPER_RESOLUTION, output: create(OutputOptionsSchema, { format: ImageFormat.PNG }) });
  const expected: Uint8Array[] = [];
  for (const index of [0, 2]) {
    const item = items.nth(index);
    assert.equal(await item.getAttribute("data-state"), "done", await item.innerText());
    assert.ok(Number(await item.getAttribute("data-progress-events")) > 0, "the item received progress events");
    const saved = await download(page, () => item.locator("button.download").click());
    const stem = (files[index] as string).replace(/\.png$/, "");
    assert.match(saved.name, new RegExp(`^${stem}_restored_\\d{8}-\\d{6}\\.png$`));
    const reference = await restoreUnary(buffers[index] as Buffer, options);
    expected.push(reference);
    assert.ok(Buffer.from(reference).equals(saved.bytes), `${saved.name} differs from the unary Restore output`);
  }

  const zip = await download(page, () => page.click("#download-all"));
  assert.match(zip.name, /^restored_\d{8}-\d{6}\.zip$/);
  const entries = Object.entries(unzipSync(new Uint8Array(zip.bytes)));
  assert.equal(entries.length, 2);
  entries.forEach(([, bytes], i) => assert.ok(Buffer.from(bytes).equals(Buffer.from(expected[i] as Uint8Array)), `zip entry ${i} differs`));
  await page.context().close();
});

test("before/after view with the faces outlined and their scores, and a 1:1 lens", async () => {
  const page = await openPage();
  await page.selectOption("#task", "faces");
  await page.setInputFiles("#files", join(shared, "images", "astronaut.png"));
  await page.click("#start");
  await waitForBatch(page);
  assert.equal(await page.locator(".item").first().getAttribute("data-state"), "done");
  await page.waitForSelector("#viewer:not([hidden]) .face span");
  const label = await page.locator(".face span").first().innerText();
  assert.match(label, /^0\.\d\d/);

  const saved = await download(page, () => page.locator("button.download").first().click());
  const reference = await restoreUnary(await image("astronaut.png"), create(RestoreOptionsSchema, { task: RestoreTask.FACES, faces: create(FaceOptionsSchema, { blend: 1 }) }));
  assert.ok(Buffer.from(reference).equals(saved.bytes), "the faces result differs from the unary Restore output");

  await page.check("#show-lens");
  const box = await page.locator("#compare").boundingBox();
  assert.ok(box);
  await page.mouse.move(box.x + box.width * 0.45, box.y + box.height * 0.3);
  await page.fill("#split", "55");
  await page.dispatchEvent("#split", "input");
  assert.equal(await page.locator("#lens").isVisible(), true);
  await page.locator("#viewer").screenshot({ path: join(output, "03-before-after.png") });
  // The README's screenshot: the results and the before/after view with the face outlined.
  await page.evaluate(() => document.getElementById("queue")?.scrollIntoView({ block: "start" }));
  await page.screenshot({ path: join(output, "web-page.png") });
  await page.context().close();
});

test("models panel lists states and reports admin calls (UNIMPLEMENTED until the server has model management)", async () => {
  const page = await openPage();
  const row = page.locator(`#models tr[data-model="${SR_MODEL}"]`);
  assert.match(await row.innerText(), /READY/);
  await row.getByRole("button", { name: `Reload ${SR_MODEL}` }).click();
  // "Reloading <name>…" while the call runs; then the outcome (no trailing ellipsis).
  await page.waitForFunction(() => !(document.getElementById("models-status")?.textContent ?? "…").endsWith("…"));
  assert.match(await page.locator("#models-status").innerText(), /Reloading .* failed: .*UNIMPLEMENTED|: READY/);
  await page.screenshot({ path: join(output, "04-models.png"), fullPage: true });
  await page.context().close();
});

test("presets are saved and loaded as JSON files; a bad one is refused with the reason", async () => {
  const page = await openPage();
  await page.selectOption("#model", SR_MODEL);
  await page.selectOption("#format", "webp");
  await page.fill("#quality", "80");
  const saved = await download(page, () => page.click("#save-preset"));
  const preset = JSON.parse(saved.bytes.toString("utf8"));
  assert.deepEqual(
    { kind: preset.kind, model: preset.model, format: preset.format, quality: preset.quality, task: preset.task },
    { kind: "restoregrpc-web-preset", model: SR_MODEL, format: "webp", quality: 80, task: "auto" },
  );

  const changed = { ...preset, task: "faces", scale: 2, blend: 0.5, format: "jpeg" };
  const file = join(output, "preset.json");
  await writeFile(file, JSON.stringify(changed));
  await page.setInputFiles("#load-preset", file);
  await page.waitForFunction(() => (document.getElementById("task") as HTMLSelectElement).value === "faces");
  assert.deepEqual(
    [await page.inputValue("#scale"), await page.inputValue("#format"), await page.inputValue("#blend"), await page.inputValue("#model")],
    ["2", "jpeg", "0.5", SR_MODEL],
  );

  await page.setInputFiles("#load-preset", { name: "bad.json", mimeType: "application/json", buffer: Buffer.from('{"kind":"other"}') });
  await page.waitForFunction(() => (document.getElementById("queue-status")?.textContent ?? "").includes("not loaded"));
  await page.context().close();
});

test("usable at phone width, every control labelled, keyboard reachable", async () => {
  const page = await openPage(390, 844);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  const wide = await page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>("body *")].filter((el) => el.getBoundingClientRect().right > window.innerWidth + 0.5).map((el) => el.id || el.tagName).slice(0, 8));
  assert.ok(overflow <= 0, `the page is ${overflow}px wider than a phone: ${wide.join(", ")}`);
  const unlabelled = await page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>("input, select, button")]
      .filter((el) => {
        const labels = (el as HTMLInputElement).labels;
        return !(labels && labels.length > 0) && !el.getAttribute("aria-label") && !(el.textContent ?? "").trim();
      })
      .map((el) => el.id || el.outerHTML));
  assert.deepEqual(unlabelled, []);
  const reached = new Set<string>();
  for (let i = 0; i < 12; i++) {
    await page.keyboard.press("Tab");
    reached.add(await page.evaluate(() => document.activeElement?.id ?? ""));
  }
  for (const id of ["drop", "model", "task", "scale"]) assert.ok(reached.has(id), `Tab never reached #${id}: ${[...reached].join(", ")}`);
  await page.focus("#model");
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement as Element).outlineStyle);
  assert.notEqual(outline, "none");
  await page.screenshot({ path: join(output, "05-phone.png"), fullPage: true });
  await page.context().close();
});
