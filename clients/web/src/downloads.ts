// Saving results: one file, or all of them as a zip (fflate; images are already compressed, so stored as is).
import { zipSync } from "fflate";
import { uniqueNames, timestamp } from "./names.js";

export interface Download {
  name: string;
  bytes: Uint8Array;
  type: string;
}

export function save(name: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

export function saveOne(download: Download): void {
  save(download.name, new Blob([download.bytes as BlobPart], { type: download.type }));
}

export function saveZip(downloads: readonly Download[], at: Date): void {
  const names = uniqueNames(downloads.map((d) => d.name));
  const entries: Record<string, [Uint8Array, { level: 0 }]> = {};
  downloads.forEach((d, i) => {
    entries[names[i] ?? d.name] = [d.bytes, { level: 0 }];
  });
  save(`restored_${timestamp(at)}.zip`, new Blob([zipSync(entries) as BlobPart], { type: "application/zip" }));
}
