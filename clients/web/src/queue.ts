// The batch: each file restored through RestoreWithProgress with its own progress bar; a file that fails is shown
// with the server's reason and skipped while the others go on.
import { ConnectError } from "@connectrpc/connect";
import { RestoreStage, type RestoreProgress, type RestoreResponse, type RestoreOptions } from "./gen/restoregrpc/v1/restore_service_pb.js";
import { restoreService } from "./api.js";
import { mimeType, outputName } from "./names.js";
import type { Download } from "./downloads.js";

export type ItemState = "waiting" | "running" | "done" | "failed";

export interface Item {
  id: number;
  file: File;
  state: ItemState;
  progress?: RestoreProgress;
  /** Progress events received for this item (shown as data-progress-events for tests and tools). */
  progressEvents: number;
  result?: RestoreResponse;
  download?: Download;
  error?: string;
}

const stageNames: Record<RestoreStage, string> = {
  [RestoreStage.UNSPECIFIED]: "Working",
  [RestoreStage.QUEUED]: "Queued on the server",
  [RestoreStage.DECODING]: "Decoding",
  [RestoreStage.DETECTING_FACES]: "Detecting faces",
  [RestoreStage.UPSCALING]: "Upscaling",
  [RestoreStage.RESTORING_FACES]: "Restoring faces",
  [RestoreStage.ENCODING]: "Encoding",
};

/** A stage and its counts as one line, e.g. "Upscaling: tile 3 of 12". */
export function describeProgress(progress: RestoreProgress): string {
  const stage = stageNames[progress.stage] ?? "Working";
  if (progress.stage === RestoreStage.UPSCALING && progress.tileCount > 0) {
    return `${stage}: ${progress.doneTileCount} of ${progress.tileCount} tiles`;
  }
  if (progress.stage === RestoreStage.RESTORING_FACES && progress.faceCount > 0) {
    return `${stage}: ${progress.doneFaceCount} of ${progress.faceCount} faces`;
  }
  return stage;
}

/** 0..1: tiles weigh most, faces next; stages before and after count a little. */
export function fractionDone(progress: RestoreProgress | undefined): number {
  if (!progress) return 0;
  const tiles = progress.tileCount > 0 ? progress.doneTileCount / progress.tileCount : 0;
  const faces = progress.faceCount > 0 ? progress.doneFaceCount / progress.faceCount : 0;
  switch (progress.stage) {
    case RestoreStage.QUEUED: return 0.02;
    case RestoreStage.DECODING: return 0.05;
    case RestoreStage.DETECTING_FACES: return 0.08;
    case RestoreStage.UPSCALING: return 0.1 + 0.7 * tiles;
    case RestoreStage.RESTORING_FACES: return 0.8 + 0.12 * faces;
    case RestoreStage.ENCODING: return 0.95;
    default: return 0;
  }
}

export function errorText(error: unknown): string {
  if (error instanceof ConnectError) return `${error.rawMessage || error.message} (${codeName(error.code)})`;
  return error instanceof Error ? error.message : String(error);
}

function codeName(code: number): string {
  const names = ["OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED"];
  return names[code] ?? `code ${code}`;
}

/** Restores one item, reporting each progress event; never throws (a failure is the item's state). */
export async function restoreItem(item: Item, options: RestoreOptions, changed: (item: Item) => void, signal: AbortSignal): Promise<void> {
  item.state = "running";
  item.progress = undefined;
  item.error = undefined;
  changed(item);
  try {
    const image = new Uint8Array(await item.file.arrayBuffer());
    for await (const event of restoreService.restoreWithProgress({ image, options }, { signal })) {
      if (event.event.case === "progress") {
        item.progress = event.event.value;
        item.progressEvents++;
        changed(item);
      } else if (event.event.case === "result") {
        item.result = event.event.value;
      }
    }
    const result = item.result;
    if (!result) throw new Error("the server ended the call without a result");
    const format = result.output?.format ?? 0;
    item.download = { name: outputName(item.file.name, format, new Date()), bytes: result.image, type: mimeType(format) };
    item.state = "done";
  } catch (error) {
    item.state = "failed";
    item.error = errorText(error);
  }
  changed(item);
}

/** Runs the waiting items, a few at a time, until none is left. Each item takes the options as they are when it
 * starts (a model chosen or made the default mid-batch applies to the items that start after the change). */
export async function runQueue(items: readonly Item[], optionsNow: () => RestoreOptions, changed: (item: Item) => void, signal: AbortSignal, parallel = 2): Promise<void> {
  const waiting = items.filter((i) => i.state === "waiting");
  const next = async (): Promise<void> => {
    for (let item = waiting.shift(); item && !signal.aborted; item = waiting.shift()) {
      await restoreItem(item, optionsNow(), changed, signal);
    }
  };
  await Promise.all(Array.from({ length: parallel }, next));
}
