// The page: pick or drop images, choose options (or a preset), restore them all with per-file progress, compare
// and download the results, and manage the server's models.
import { applyPreset, readPreset, toRestoreOptions, controls } from "./options.js";
import { describeProgress, fractionDone, runQueue, type Item } from "./queue.js";
import { save, saveOne, saveZip } from "./downloads.js";
import { timestamp } from "./names.js";
import { Viewer } from "./viewer.js";
import { ModelsPanel } from "./models.js";
import { byId } from "./dom.js";

const items: Item[] = [];
let nextId = 1;
let running: AbortController | undefined;

const list = byId<HTMLOListElement>("items");
const start = byId<HTMLButtonElement>("start");
const downloadAll = byId<HTMLButtonElement>("download-all");
const clear = byId<HTMLButtonElement>("clear");
const queueStatus = byId("queue-status");
const viewer = new Viewer();
const models = new ModelsPanel();

function addFiles(files: Iterable<File>): void {
  for (const file of files) {
    const item: Item = { id: nextId++, file, state: "waiting", progressEvents: 0 };
    items.push(item);
    list.append(renderItem(item));
  }
  updateButtons();
}

function renderItem(item: Item): HTMLLIElement {
  const li = document.createElement("li");
  li.className = "item";
  li.id = `item-${item.id}`;
  li.dataset.state = item.state;
  const name = document.createElement("span");
  name.className = "name";
  name.textContent = item.file.name;
  const actions = document.createElement("span");
  actions.className = "actions";
  const progress = document.createElement("progress");
  progress.max = 1;
  progress.value = 0;
  progress.setAttribute("aria-label", `Progress of ${item.file.name}`);
  const state = document.createElement("span");
  state.className = "state";
  state.textContent = "Waiting";
  li.append(name, actions, progress, state);
  return li;
}

function updateItem(item: Item): void {
  const li = document.getElementById(`item-${item.id}`);
  if (!li) return;
  li.className = `item ${item.state}`;
  li.dataset.state = item.state;
  li.dataset.progressEvents = String(item.progressEvents);
  const progress = li.querySelector("progress") as HTMLProgressElement;
  const state = li.querySelector(".state") as HTMLElement;
  const actions = li.querySelector(".actions") as HTMLElement;
  switch (item.state) {
    case "waiting": state.textContent = "Waiting"; progress.value = 0; break;
    case "running": {
      progress.value = fractionDone(item.progress);
      state.textContent = item.progress ? describeProgress(item.progress) : "Sending";
      break;
    }
    case "failed": state.textContent = `Failed: ${item.error ?? "unknown error"} (skipped)`; progress.value = 0; break;
    case "done": {
      progress.value = 1;
      const r = item.result;
      const d = r?.details;
      li.dataset.model = d?.model ?? "";
      const faces = r?.faces.length ?? 0;
      const restorer = d?.faceRestorer && faces > 0 ? ` (faces by ${d.faceRestorer})` : "";
      state.textContent = `Done: ${r?.output?.width}×${r?.output?.height} with ${d?.model ?? "?"}${restorer}, ${faces} ${faces === 1 ? "face" : "faces"}, ${seconds(d?.timings?.total)} s`;
      const download = button("Download", `Download ${item.download?.name ?? ""}`, () => item.download && saveOne(item.download));
      download.classList.add("download");
      const view = button("Compare", `Compare before and after for ${item.file.name}`, () => showItem(item));
      actions.replaceChildren(download, view);
      break;
    }
  }
  updateButtons();
}

function button(label: string, accessibleName: string, onClick: () => void): HTMLButtonElement {
  const b = document.createElement("button");
  b.type = "button";
  b.textContent = label;
  b.setAttribute("aria-label", accessibleName);
  b.addEventListener("click", onClick);
  return b;
}

function seconds(duration: { seconds: bigint; nanos: number } | undefined): string {
  return duration ? (Number(duration.seconds) + duration.nanos / 1e9).toFixed(2) : "?";
}

function showItem(item: Item): void {
  if (!item.result || !item.download) return;
  const r = item.result;
  const notes = r.details?.notes.length ? ` Notes: ${r.details.notes.join("; ")}.` : "";
  viewer.show(item.file.name, item.file, new Blob([item.download.bytes as BlobPart], { type: item.download.type }), r.details?.input?.width ?? 1, r.faces,
    `${r.details?.input?.width}×${r.details?.input?.height} → ${r.output?.width}×${r.output?.height} with ${r.details?.model}, ${r.details?.tileCount ?? 0} tiles.${notes}`);
  byId("viewer").scrollIntoView({ behavior: "smooth", block: "start" });
}

function updateButtons(): void {
  const busy = running !== undefined;
  start.disabled = busy || !items.some((i) => i.state === "waiting");
  downloadAll.disabled = !items.some((i) => i.state === "done");
  clear.disabled = busy || items.length === 0;
  const done = items.filter((i) => i.state === "done").length;
  const failed = items.filter((i) => i.state === "failed").length;
  queueStatus.textContent = items.length === 0 ? "No images yet." : `${done} done, ${failed} failed, ${items.length - done - failed} to go.`;
}

start.addEventListener("click", async () => {
  running = new AbortController();
  updateButtons();
  try {
    await runQueue(items, () => toRestoreOptions(readPreset()), updateItem, running.signal);
  } finally {
    running = undefined;
    updateButtons();
    const first = items.find((i) => i.state === "done");
    if (first && byId("viewer").hidden) showItem(first);
  }
});

downloadAll.addEventListener("click", () => {
  saveZip(items.flatMap((i) => (i.download ? [i.download] : [])), new Date());
});

clear.addEventListener("click", () => {
  items.length = 0;
  list.replaceChildren();
  byId("viewer").hidden = true;
  updateButtons();
});

// Files: the picker, drag and drop, and Enter/Space on the drop zone.
const picker = byId<HTMLInputElement>("files");
picker.addEventListener("change", () => { addFiles(picker.files ?? []); picker.value = ""; });
const drop = byId("drop");
drop.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); picker.click(); } });
drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
drop.addEventListener("dragleave", () => drop.classList.remove("over"));
drop.addEventListener("drop", (e) => {
  e.preventDefault();
  drop.classList.remove("over");
  addFiles(e.dataTransfer?.files ?? []);
});

// Presets: the options as a JSON file, saved and loaded.
byId("save-preset").addEventListener("click", () => {
  save(`restoregrpc-preset_${timestamp(new Date())}.json`, new Blob([JSON.stringify(readPreset(), null, 2) + "\n"], { type: "application/json" }));
});
const presetPicker = byId<HTMLInputElement>("load-preset");
presetPicker.addEventListener("change", async () => {
  const file = presetPicker.files?.[0];
  presetPicker.value = "";
  if (!file) return;
  try {
    applyPreset(JSON.parse(await file.text()));
    queueStatus.textContent = `Preset ${file.name} loaded.`;
  } catch (error) {
    queueStatus.textContent = `Preset ${file.name} not loaded: ${error instanceof Error ? error.message : String(error)}`;
  }
});
const blend = controls.blend();
blend.addEventListener("input", () => { byId("blend-value").textContent = blend.value; });

updateButtons();
void models.refresh();
