// Validates every object in the given YAML files (multi-document, as `kubectl kustomize` prints them) against
// its kind's schema: core Kubernetes kinds from kubernetes-models (generated from the Kubernetes OpenAPI), KEDA's
// ScaledObject and the Prometheus Operator's ServiceMonitor from their CRDs' schemas. Prints one line per
// object, "ok KIND/NAME (FILE)" or "FAIL KIND/NAME (FILE): errors", and exits 1 when any object failed or a kind
// has no schema here.
//   node validate.mjs rendered.yaml [more.yaml ...]
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

// apiVersion group → the module holding its models (each exports one class per kind, named after it).
const modules = {
  "": (version) => `kubernetes-models/${version}`,
  "keda.sh": (version) => `@kubernetes-models/keda/keda.sh/${version}`,
  "monitoring.coreos.com": (version) => `@kubernetes-models/prometheus-operator/monitoring.coreos.com/${version}`,
};

async function modelFor(apiVersion, kind) {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  const path = (modules[group] ?? ((v) => `kubernetes-models/${group}/${v}`))(version);
  try {
    return (await import(path))[kind];
  } catch {
    return undefined;
  }
}

let failed = 0;
for (const file of process.argv.slice(2)) {
  for (const document of parseAllDocuments(readFileSync(file, "utf8"))) {
    if (document.errors.length > 0) {
      console.log(`FAIL YAML (${file}): ${document.errors.map((e) => e.message).join("; ")}`);
      failed++;
      continue;
    }
    const object = document.toJS();
    if (object === null) {
      continue;
    }
    const name = `${object.kind}/${object.metadata?.name}`;
    const Model = await modelFor(object.apiVersion ?? "", object.kind ?? "");
    if (Model === undefined) {
      console.log(`FAIL ${name} (${file}): no schema for ${object.apiVersion} ${object.kind}`);
      failed++;
      continue;
    }
    try {
      new Model(object).validate();
      console.log(`ok ${name} (${file})`);
    } catch (error) {
      const details = (error.errors ?? []).map((e) => `${e.instancePath} ${e.message}`).join("; ");
      console.log(`FAIL ${name} (${file}): ${details || error.message}`);
      failed++;
    }
  }
}
process.exit(failed === 0 ? 0 : 1);
