// The models panel: the catalog with each model's state (ListModels), and load, unload, reload and make-default
// through ModelAdminService. A server without live model management answers UNIMPLEMENTED: shown, nothing breaks.
import { ModelState, ModelTask, type ListModelsResponse, type ModelInfo } from "./gen/restoregrpc/v1/models_pb.js";
import { modelAdmin, restoreService } from "./api.js";
import { byId } from "./dom.js";
import { errorText } from "./queue.js";

const stateNames: Record<ModelState, string> = {
  [ModelState.UNSPECIFIED]: "UNKNOWN",
  [ModelState.MISSING]: "MISSING",
  [ModelState.DOWNLOADING]: "DOWNLOADING",
  [ModelState.LOADING]: "LOADING",
  [ModelState.READY]: "READY",
  [ModelState.FAILED]: "FAILED",
  [ModelState.UNLOADED]: "UNLOADED",
};

const taskNames: Record<ModelTask, string> = {
  [ModelTask.UNSPECIFIED]: "",
  [ModelTask.SUPER_RESOLUTION]: "super-resolution",
  [ModelTask.FACE_RESTORATION]: "face restoration",
  [ModelTask.FACE_DETECTION]: "face detection",
};

type Action = "load" | "unload" | "reload" | "default";

export class ModelsPanel {
  private readonly table = byId<HTMLTableElement>("models");
  private readonly body = this.table.tBodies[0] as HTMLTableSectionElement;
  private readonly status = byId("models-status");
  private readonly select = byId<HTMLSelectElement>("model");

  constructor() {
    byId("refresh-models").addEventListener("click", () => void this.refresh());
  }

  async refresh(): Promise<void> {
    try {
      const list = await restoreService.listModels({});
      this.render(list);
    } catch (error) {
      this.status.textContent = `Could not list the models: ${errorText(error)}`;
    }
  }

  private render(list: ListModelsResponse): void {
    this.body.replaceChildren(...list.models.map((m) => this.row(m, m.name === list.defaultModel)));
    // The model choice lists super-resolution models with their state; the current choice is kept.
    const chosen = this.select.value;
    const options = list.models
      .filter((m) => m.task === ModelTask.SUPER_RESOLUTION)
      .map((m) => new Option(`${m.name} (${stateNames[m.state]}${m.name === list.defaultModel ? ", default" : ""})`, m.name));
    this.select.replaceChildren(new Option(`Server default (${list.defaultModel})`, ""), ...options);
    this.select.value = [...this.select.options].some((o) => o.value === chosen) ? chosen : "";
  }

  private row(model: ModelInfo, isDefault: boolean): HTMLTableRowElement {
    const row = document.createElement("tr");
    row.dataset.model = model.name;
    const name = cell(row, model.name + (isDefault ? " (default)" : ""));
    if (model.description) name.append(detail(model.description));
    cell(row, taskNames[model.task]);
    const state = cell(row, stateNames[model.state]);
    state.className = `state-${stateNames[model.state]}`;
    if (model.stateDetail) state.append(detail(model.stateDetail));
    const actions = document.createElement("div");
    actions.className = "actions";
    const canRun = model.state === ModelState.READY;
    const button = (action: Action, label: string, enabled: boolean, why?: string): void => {
      const b = document.createElement("button");
      b.type = "button";
      b.textContent = label;
      b.disabled = !enabled || model.builtin;
      b.setAttribute("aria-label", `${label} ${model.name}`);
      if (why) b.title = why;
      b.addEventListener("click", () => void this.act(action, model.name));
      actions.append(b);
    };
    button("load", "Load", !canRun);
    // The server refuses to unload the default model (FAILED_PRECONDITION): make another one the default first.
    button("unload", "Unload", canRun && !isDefault, isDefault ? "The default model cannot be unloaded; make another model the default first" : undefined);
    button("reload", "Reload", true);
    button("default", "Make default", canRun && !isDefault && model.task === ModelTask.SUPER_RESOLUTION);
    row.insertCell().append(actions);
    return row;
  }

  private async act(action: Action, name: string): Promise<void> {
    const verbs: Record<Action, string> = { load: "Loading", unload: "Unloading", reload: "Reloading", default: "Making default" };
    this.status.textContent = `${verbs[action]} ${name}…`;
    // One action at a time: the buttons come back with the refreshed list.
    for (const b of this.body.querySelectorAll("button")) b.disabled = true;
    this.table.setAttribute("aria-busy", "true");
    try {
      let model: ModelInfo | undefined;
      switch (action) {
        case "load": model = (await modelAdmin.loadModel({ name })).model; break;
        case "unload": model = (await modelAdmin.unloadModel({ name })).model; break;
        case "reload": model = (await modelAdmin.reloadModel({ name })).model; break;
        case "default": await modelAdmin.setDefaultModel({ name }); break;
      }
      this.status.textContent = model
        ? `${name}: ${stateNames[model.state]}${model.stateDetail ? ` (${model.stateDetail})` : ""}`
        : `${name} is the default model`;
    } catch (error) {
      this.status.textContent = `${verbs[action]} ${name} failed: ${errorText(error)}`;
    }
    await this.refresh();
    this.table.removeAttribute("aria-busy");
  }
}

function cell(row: HTMLTableRowElement, text: string): HTMLTableCellElement {
  const c = row.insertCell();
  c.textContent = text;
  return c;
}

function detail(text: string): HTMLElement {
  const d = document.createElement("span");
  d.className = "detail";
  d.textContent = text;
  return d;
}
