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
import { ListModelsRequestSchema, ListModelsResponseSchema, ModelState, type ListModelsResponse } from "../src/gen/restoregrpc/v1/models_pb.js";
import { SetDefaultModelRequestSchema, SetDefaultModelResponseSchema, LoadModelRequestSchema, LoadModelResponseSchema } from "../src/gen/restoregrpc/v1/model_admin_service_pb.js";
import {
  FaceOptionsSchema,
  RestoreRequestSchema,
  RestoreResponseSchema,
  RestoreTask,
  type RestoreOptions,
  RestoreOptionsSchema,
  type RestoreResponse,
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
  return (await restoreUnaryResponse(bytes, options)).image;
}

function restoreUnaryResponse(bytes: Uint8Array, options: RestoreOptions): Promise<RestoreResponse> {
  return unary(base, "restoregrpc.v1.RestoreService/Restore", RestoreRequestSchema, RestoreResponseSchema, { image: bytes, options });
}

/** Super-resolution to PNG with this model ("" for the server's default): what the page sends for task sr, format png. */
const srToPng = (model: string): RestoreOptions =>
  create(RestoreOptionsSchema, { model, task: RestoreTask.SUPER_RESOLUTION, output: create(OutputOptionsSchema, { format: ImageFormat.PNG }) });

const listModels = (): Promise<ListModelsResponse> =>
  unary(base, "restoregrpc.v1.RestoreService/ListModels", ListModelsRequestSchema, ListModelsResponseSchema, {});

function stateOf(list: ListModelsResponse, name: string): ModelState | undefined {
  return list.models.find((m) => m.name === name)?.state;
}

/** Puts the server back as the other tests expect it (they share one server): the model loaded, the default as it was. */
async function restoreModels(defaultModel: string): Promise<void> {
  await unary(base, "restoregrpc.v1.ModelAdminService/LoadModel", LoadModelRequestSchema, LoadModelResponseSchema, { name: SR_MODEL });
  await unary(base, "restoregrpc.v1.ModelAdminService/SetDefaultModel", SetDefaultModelRequestSchema, SetDefaultModelResponseSchema, { name: defaultModel });
}

/** Clicks a models-panel action ("Load", "Unload", "Reload", "Make default") and returns the panel's outcome line once
 * the panel has listed the models again. */
async function modelAction(page: Page, action: string, name: string): Promise<string> {
  await page.locator(`#models tr[data-model="${name}"]`).getByRole("button", { name: `${action} ${name}`, exact: true }).click();
  await page.waitForFunction(
    () => !document.getElementById("models")?.hasAttribute("aria-busy") && !(document.getElementById("models-status")?.textContent ?? "…").endsWith("…"),
    null,
    { timeout: 180_000, polling: 100 },
  );
  return page.locator("#models-status").innerText();
}

const rowState = (page: Page, name: string): Promise<string> => page.locator(`#models tr[data-model="${name}"] td`).nth(2).innerText();

async function waitForUpscaling(page: Page, indexes: number[]): Promise<void> {
  await page.waitForFunction(
    (at) => {
      const items = [...document.querySelectorAll<HTMLElement>(".item")];
      return at.every((i) => items[i]?.dataset.state === "running" && /^Upscaling/.test(items[i]?.querySelector(".state")?.textContent ?? ""));
    },
    indexes,
    { timeout: 300_000, polling: 50 },
  );
}

const itemStates = (page: Page): Promise<(string | undefined)[]> =>
  page.locator(".item").evaluateAll((items) => items.map((li) => (li as HTMLElement).dataset.state));

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
    { timeout: 600_000, polling: 100 },
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

  const options = srToPng(SR_MODEL);
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

test("models panel: unload, load, reload and make default, each seen in the panel, in ListModels and in the next restore", async () => {
  const startDefault = (await listModels()).defaultModel;
  assert.notEqual(startDefault, SR_MODEL, "the test server's default is another model");
  const page = await openPage();
  try {
    assert.match(await rowState(page, SR_MODEL), /^READY/);
    // The server refuses to unload the default model, so the panel does not offer it.
    assert.equal(await page.getByRole("button", { name: `Unload ${startDefault}`, exact: true }).isDisabled(), true);
    await page.selectOption("#task", "sr");
    await page.selectOption("#format", "png");
    const photo = await image("chelsea.png");

    // Unload: the panel, the server and a restore naming it all see UNLOADED.
    assert.match(await modelAction(page, "Unload", SR_MODEL), new RegExp(`^${SR_MODEL}: UNLOADED`));
    assert.match(await rowState(page, SR_MODEL), /^UNLOADED/);
    assert.equal(stateOf(await listModels(), SR_MODEL), ModelState.UNLOADED);
    assert.match((await page.locator(`#model option[value="${SR_MODEL}"]`).textContent()) ?? "", /UNLOADED/);
    await page.selectOption("#model", SR_MODEL);
    await page.setInputFiles("#files", { name: "chelsea.png", mimeType: "image/png", buffer: photo });
    await page.click("#start");
    await waitForBatch(page);
    assert.equal(await page.locator(".item").first().getAttribute("data-state"), "failed");
    assert.match(await page.locator(".item .state").first().innerText(), /FAILED_PRECONDITION/);
    await page.click("#clear");

    // Load: READY again everywhere, and a restore through it equals the unary API's output.
    assert.match(await modelAction(page, "Load", SR_MODEL), new RegExp(`^${SR_MODEL}: READY`));
    assert.match(await rowState(page, SR_MODEL), /^READY/);
    assert.equal(stateOf(await listModels(), SR_MODEL), ModelState.READY);

    // Reload while a restore on the model runs: the restore finishes (on the session it holds) and equals the unary
    // output; the reloaded model serves the next one.
    await page.setInputFiles("#files", { name: "chelsea.png", mimeType: "image/png", buffer: photo });
    await page.click("#start");
    await waitForUpscaling(page, [0]);
    assert.match(await modelAction(page, "Reload", SR_MODEL), new RegExp(`^${SR_MODEL}: READY`));
    await waitForBatch(page);
    const item = page.locator(".item").first();
    assert.equal(await item.getAttribute("data-state"), "done", await item.innerText());
    assert.equal(await item.getAttribute("data-model"), SR_MODEL);
    const saved = await download(page, () => item.locator("button.download").click());
    assert.ok(Buffer.from(await restoreUnary(photo, srToPng(SR_MODEL))).equals(saved.bytes), "the restore across the reload differs from the unary Restore output");
    assert.equal(stateOf(await listModels(), SR_MODEL), ModelState.READY);

    // Make default: the panel marks it, the server lists it, and a request naming no model gets it.
    assert.equal(await modelAction(page, "Make default", SR_MODEL), `${SR_MODEL} is the default model`);
    assert.match(await page.locator(`#models tr[data-model="${SR_MODEL}"] td`).first().innerText(), /\(default\)/);
    assert.match((await page.locator('#model option[value=""]').textContent()) ?? "", new RegExp(`\\(${SR_MODEL}\\)`));
    assert.equal((await listModels()).defaultModel, SR_MODEL);
    assert.equal((await restoreUnaryResponse(await image("page.png"), srToPng(""))).details?.model, SR_MODEL);
    await page.screenshot({ path: join(output, "04-models.png"), fullPage: true });

    // And back, through the panel too.
    assert.equal(await modelAction(page, "Make default", startDefault), `${startDefault} is the default model`);
    assert.equal((await listModels()).defaultModel, startDefault);
  } finally {
    await restoreModels(startDefault);
    await page.context().close();
  }
});

test("switching models while restores run: those running finish with the model they started with, the next ones get the new choice", async () => {
  const models = await listModels();
  const startDefault = models.defaultModel;
  const newDefault = "realesr-animevideov3-x4";
  assert.equal(new Set([startDefault, newDefault, SR_MODEL]).size, 3, `three different models (default ${startDefault})`);
  for (const name of [startDefault, newDefault, SR_MODEL]) assert.equal(stateOf(models, name), ModelState.READY, name);
  const page = await openPage();
  try {
    await page.selectOption("#model", "");
    await page.selectOption("#task", "sr");
    await page.selectOption("#format", "png");
    // Two restores run at a time: the first two start on the server's default, the third waits for a free slot.
    const files = ["coffee.png", "chelsea.png", "page.png"];
    const buffers = await Promise.all(files.map(image));
    await page.setInputFiles("#files", files.map((name, i) => ({ name, mimeType: "image/png", buffer: buffers[i] as Buffer })));
    await page.click("#start");
    await waitForUpscaling(page, [0, 1]);

    // While both run: choose another model on the page, and make a third one the server's default in the panel.
    await page.selectOption("#model", SR_MODEL);
    assert.equal(await modelAction(page, "Make default", newDefault), `${newDefault} is the default model`);
    assert.deepEqual(await itemStates(page), ["running", "running", "waiting"], "the first restores ended before the switch (the machine is too fast for these images)");
    assert.equal((await listModels()).defaultModel, newDefault);
    assert.equal(await page.inputValue("#model"), SR_MODEL, "the panel's refresh kept the page's model choice");

    await waitForBatch(page);
    await page.screenshot({ path: join(output, "06-switch-while-running.png"), fullPage: true });
    const items = page.locator(".item");
    const expectedModels = [startDefault, startDefault, SR_MODEL];
    for (const [index, model] of expectedModels.entries()) {
      const item = items.nth(index);
      assert.equal(await item.getAttribute("data-state"), "done", await item.innerText());
      assert.equal(await item.getAttribute("data-model"), model, `${files[index]} was restored by ${model}`);
      assert.match(await item.locator(".state").innerText(), new RegExp(`with ${model},`));
      const saved = await download(page, () => item.locator("button.download").click());
      const reference = await restoreUnary(buffers[index] as Buffer, srToPng(model));
      assert.ok(Buffer.from(reference).equals(saved.bytes), `${files[index]} differs from the unary Restore output of ${model}`);
    }

    // The next restore naming no model gets the new default.
    await page.click("#clear");
    await page.selectOption("#model", "");
    assert.match((await page.locator('#model option[value=""]').textContent()) ?? "", new RegExp(`\\(${newDefault}\\)`));
    const next = await image("text.png");
    await page.setInputFiles("#files", { name: "text.png", mimeType: "image/png", buffer: next });
    await page.click("#start");
    await waitForBatch(page);
    const item = items.first();
    assert.equal(await item.getAttribute("data-model"), newDefault, await item.innerText());
    const saved = await download(page, () => item.locator("button.download").click());
    assert.ok(Buffer.from(await restoreUnary(next, srToPng(newDefault))).equals(saved.bytes), `text.png differs from the unary Restore output of ${newDefault}`);
  } finally {
    await restoreModels(startDefault);
    await page.context().close();
  }
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
