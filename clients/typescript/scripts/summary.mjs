// Echoes node --test's spec output from stdin and prints the closing line scripts/test.sh sums:
// "N passed, N failed, N skipped" (cancelled tests count as failed, todo as skipped). Exits 1 on failures or when
// no summary was seen (the run crashed).
import { createInterface } from "node:readline";

const counts = {};
for await (const line of createInterface({ input: process.stdin })) {
  console.log(line);
  const match = /^ℹ (tests|pass|fail|cancelled|skipped|todo) (\d+)$/.exec(line.trim());
  if (match) counts[match[1]] = Number(match[2]);
}
if (counts.tests === undefined) {
  console.log("0 passed, 1 failed, 0 skipped");
  process.exit(1);
}
const failed = (counts.fail ?? 0) + (counts.cancelled ?? 0);
console.log(`${counts.pass ?? 0} passed, ${failed} failed, ${(counts.skipped ?? 0) + (counts.todo ?? 0)} skipped`);
process.exit(failed > 0 ? 1 : 0);
