// Hairline design editor, part 4 of 4: tools, history and controls. Pointer Events drive it
// (part 3), so a mouse, a finger and a stylus all draw the same way. Pages opt in with
// data-design-editor (template consultations/includes/design_editor.html); the design
// travels as JSON in a hidden input, and every change dispatches "design:change".
(function () {
  "use strict";
  const NS = (window.SMPDesignEditor = window.SMPDesignEditor || {});
  if (NS.init) { return; } // the include may appear, and load us, more than once
  const M = NS.model;
  const D = NS.draw;

  const HISTORY_LIMIT = 200;
  const HINTS = {
    hairline: "Hairline: tap to add control points, drag a point to move it, "
      + "tap the line to add a point between two.",
    temples: "Temple points: tap to place them (two at most), drag to move.",
    zone: "Zone: choose the zone, density and shade, then tap its corners; "
      + "tap the first corner or Finish zone to close it.",
    select: "Select: tap a point or a zone, drag points to move them; Delete removes the selection.",
  };
  const READ_ONLY = "Read only: the saved design, shown as it was saved.";
  const editors = new WeakMap();
  let lastActive = null; // the editor that Ctrl+Z means when the focus is on the page itself

  const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;
  const isEditable = (el) => Boolean(el && el.closest
    && el.closest("input, textarea, select, [contenteditable=''], [contenteditable='true']"));

  class Editor {
    constructor(root) {
      this.root = root;
      // data-sde-readonly: the design is shown, never changed (no tools, input or question).
      this.readOnly = root.hasAttribute("data-sde-readonly");
      this.stage = root.querySelector("[data-sde-stage]");
      this.photo = root.querySelector("[data-sde-photo]");
      this.statusLine = root.querySelector("[data-sde-status]");
      this.output = root.querySelector("[data-sde-output]");
      this.fields = {};
      root.querySelectorAll("[data-sde-field]").forEach((el) => { this.fields[el.dataset.sdeField] = el; });
      // The template's options are the vocabulary; its selected options are the defaults.
      this.vocabulary = {};
      this.defaults = {};
      ["style", "zone", "density", "shade"].forEach((name) => {
        this.vocabulary[name] = Array.from(this.fields[name].options, (option) => option.value);
        this.defaults[name] = this.fields[name].value;
      });
      this.state = M.fromDesign(this.readInitial(), this.vocabulary, this.defaults);
      this.undoStack = [];
      this.redoStack = [];
      this.selected = null;
      this.gesture = null;
      this.tool = "hairline";
      this.lastJson = null;
      this.surface = null;
      this.writeOutput(false);
      // What the page holds already saved; a drawing sent back after a refusal is not.
      this.savedJson = root.hasAttribute("data-sde-unsaved") ? null : this.lastJson;
      this.submitting = false;
      if (this.output.form) {
        this.output.form.addEventListener("submit", () => { this.submitting = true; });
      }
      root.querySelector("[data-sde-nojs]").hidden = true;
      if (!this.readOnly) {
        root.querySelectorAll("[data-sde-controls]").forEach((el) => { el.hidden = false; });
        this.bindControls();
      }
      const failed = () => this.say(
        "The photo could not be loaded, so there is nothing to draw on. Reload the page to try again.");
      if (this.photo.complete) {
        if (this.photo.naturalWidth) { this.mount(); } else { failed(); }
      } else {
        this.photo.addEventListener("load", () => this.mount(), { once: true });
        this.photo.addEventListener("error", failed, { once: true });
      }
    }

    readInitial() {
      const source = this.root.querySelector('script[type="application/json"]');
      try { return source ? JSON.parse(source.textContent) : null; } catch (error) { return null; }
    }

    getDesign() { return M.toDesign(this.state); }

    // Changes that leaving the page would lose: not once the editor's own form is sending them.
    hasUnsavedChanges() {
      return !this.readOnly && !this.submitting && this.lastJson !== this.savedJson;
    }

    setDesign(data) {
      this.selected = null;
      const replacement = M.fromDesign(data, this.vocabulary, this.defaults);
      this.change("replace the design", (s) => Object.assign(s, replacement));
    }

    writeOutput(announce, action) {
      const design = this.getDesign();
      const json = JSON.stringify(design);
      if (json === this.lastJson) { return; }
      this.lastJson = json;
      this.output.value = json;
      if (announce) {
        const detail = { design, json, action };
        this.root.dispatchEvent(new CustomEvent("design:change", { bubbles: true, detail }));
      }
    }

    // History keeps whole-state snapshots: a design is small enough to copy on every change.
    snapshot() { return JSON.stringify(this.state); }

    commit(before, label, message) {
      if (this.snapshot() !== before) {
        this.undoStack.push({ state: before, label });
        if (this.undoStack.length > HISTORY_LIMIT) { this.undoStack.shift(); }
        this.redoStack = [];
        this.writeOutput(true, label);
      }
      // A message may be a function, to describe the state after the change.
      this.refresh(typeof message === "function" ? message() : message);
    }

    change(label, mutate, message) {
      const before = this.snapshot();
      mutate(this.state);
      this.commit(before, label, message);
    }

    travel(from, to, action, verb) {
      if (this.readOnly) { return; }
      const entry = from.pop();
      if (!entry) { this.say(`Nothing to ${action}.`); return; }
      to.push({ state: this.snapshot(), label: entry.label });
      this.state = JSON.parse(entry.state);
      this.selected = null;
      this.gesture = null;
      this.writeOutput(true, action);
      this.refresh(`${verb}: ${entry.label}. ${this.summary()}`);
    }

    undo() { this.travel(this.undoStack, this.redoStack, "undo", "Undone"); }
    redo() { this.travel(this.redoStack, this.undoStack, "redo", "Redone"); }

    bindControls() {
      const actions = {
        undo: () => this.undo(),
        redo: () => this.redo(),
        finish: () => this.finishZone(),
        delete: () => this.deleteSelected(),
        clear: (button) => this.clear(button.dataset.sdeConfirm),
      };
      this.root.querySelectorAll("[data-sde-tool]").forEach((button) => {
        button.addEventListener("click", () => { lastActive = this; this.setTool(button.dataset.sdeTool); });
      });
      this.root.querySelectorAll("[data-sde-action]").forEach((button) => {
        button.addEventListener("click", () => {
          lastActive = this;
          actions[button.dataset.sdeAction](button);
        });
      });
      this.fields.style.addEventListener("change", () => {
        const chosen = this.fields.style.selectedOptions[0].textContent;
        this.change("change the hairline style", (s) => { s.style = this.fields.style.value; },
          `Hairline style: ${chosen.toLowerCase()}.`);
      });
      ["zone", "density", "shade"].forEach((name) => {
        this.fields[name].addEventListener("change", () => {
          const index = this.targetZone();
          if (index < 0) { return; }
          const what = name === "zone" ? "type" : name;
          const value = this.fields[name].selectedOptions[0].textContent.toLowerCase();
          this.change(`change the zone's ${what}`, (s) => { s.zones[index][name] = this.fields[name].value; },
            () => `Zone ${this.zoneLabel(this.state.zones[index])}: ${what} set to ${value}.`);
        });
      });
      this.fields.notes.addEventListener("change", () => {
        this.change("edit the notes", (s) => { s.notes = this.fields.notes.value.slice(0, M.LIMITS.notes); },
          "Notes updated.");
      });
      this.root.addEventListener("keydown", (event) => this.onKey(event));
    }

    setTool(tool) {
      const open = this.state.zones[this.state.open];
      if (tool !== "zone" && open && M.zoneIsComplete(open)) { this.closeZone(); }
      this.tool = tool;
      this.selected = null;
      this.root.dataset.tool = tool;
      this.root.querySelectorAll("[data-sde-tool]").forEach((button) => {
        const on = button.dataset.sdeTool === tool;
        button.setAttribute("aria-pressed", String(on));
        button.classList.toggle("active", on);
      });
      this.refresh(HINTS[tool]);
    }

    // The zone fields edit the zone being drawn, or the zone picked with the Select tool;
    // otherwise they hold the values the next zone starts with.
    targetZone() {
      const sel = this.selected;
      if (this.tool === "select" && sel && sel.shape === "zone") { return sel.zone; }
      return this.state.open;
    }

    syncFields() {
      this.fields.style.value = this.state.style;
      if (document.activeElement !== this.fields.notes) { this.fields.notes.value = this.state.notes; }
      const index = this.targetZone();
      if (index >= 0) {
        const zone = this.state.zones[index];
        ["zone", "density", "shade"].forEach((name) => { this.fields[name].value = zone[name]; });
      }
    }

    zoneLabel(zone) {
      const option = Array.from(this.fields.zone.options).find((o) => o.value === zone.zone);
      return option ? option.textContent.toLowerCase() : zone.zone;
    }

    summary() {
      const s = this.state;
      const open = s.zones[s.open];
      if (this.tool === "temples") { return `Temple points: ${s.temples.length} of 2.`; }
      if (this.tool === "zone" && open) {
        const closing = open.points.length >= 3 ? "; tap the first point or Finish zone to close it." : ".";
        return `Zone ${this.zoneLabel(open)}: ${plural(open.points.length, "point")}${closing}`;
      }
      if (this.tool === "hairline") {
        const more = s.hairline.length === 1 ? "; add another to draw the line." : ".";
        return `Hairline: ${plural(s.hairline.length, "point")}${more}`;
      }
      return `${plural(s.zones.length, "zone")}, hairline ${plural(s.hairline.length, "point")}, `
        + `${plural(s.temples.length, "temple point")}.`;
    }

    describeSelection() {
      const sel = this.selected;
      if (!sel) { return this.summary(); }
      if (sel.shape === "zone") {
        const zone = this.state.zones[sel.zone];
        return sel.index < 0 ? `Zone ${this.zoneLabel(zone)} selected.`
          : `Zone ${this.zoneLabel(zone)}: point ${sel.index + 1} selected.`;
      }
      return `${sel.shape === "hairline" ? "Hairline" : "Temple"} point ${sel.index + 1} selected.`;
    }

    say(message) { this.statusLine.textContent = message; }

    refresh(message) {
      this.say(this.readOnly ? READ_ONLY : (message || this.summary()));
      this.syncFields();
      const button = (name) => this.root.querySelector(`[data-sde-action="${name}"]`);
      button("undo").disabled = !this.undoStack.length;
      button("redo").disabled = !this.redoStack.length;
      button("finish").disabled = this.state.open < 0;
      button("delete").disabled = !this.selected;
      this.render();
    }

    closeZone() {
      const zone = this.state.zones[this.state.open];
      if (!M.zoneIsComplete(zone)) {
        this.say(`A zone needs at least 3 points around an area; this one has ${zone.points.length}. `
          + "Add more, or press Delete to drop it.");
        return false;
      }
      this.selected = null;
      this.change("close the zone", (s) => { s.open = -1; },
        `Zone ${this.zoneLabel(zone)} closed (${plural(zone.points.length, "point")}).`);
      return true;
    }

    finishZone() {
      if (this.state.open < 0) { this.say("No zone is being drawn."); return; }
      this.closeZone();
    }

    deleteSelected() {
      const sel = this.selected;
      if (!sel) { this.say("Select a point or a zone first."); return; }
      this.selected = null;
      if (sel.shape !== "zone") {
        this.change("delete a point", (s) => { s[sel.shape].splice(sel.index, 1); },
          () => `Point deleted. ${this.summary()}`);
        return;
      }
      const zone = this.state.zones[sel.zone];
      const isOpen = this.state.open === sel.zone;
      // A closed zone cannot drop below a triangle: removing a corner of one removes it all.
      if (sel.index < 0 || zone.points.length <= (isOpen ? 1 : 3)) {
        this.change("delete the zone", (s) => {
          s.zones.splice(sel.zone, 1);
          if (s.open === sel.zone) { s.open = -1; } else if (s.open > sel.zone) { s.open -= 1; }
        }, `Zone ${this.zoneLabel(zone)} deleted.`);
      } else {
        this.change("delete a point", (s) => { s.zones[sel.zone].points.splice(sel.index, 1); },
          () => `Point deleted. ${this.summary()}`);
      }
    }

    clear(question) {
      if (!M.totalPoints(this.state)) { this.say("There is nothing to clear."); return; }
      if (question && !window.confirm(question)) { return; }
      this.selected = null;
      this.change("clear all", (s) => Object.assign(s, { hairline: [], temples: [], zones: [], open: -1 }),
        "Cleared. Undo brings the drawing back.");
    }

    mount() {
      this.size = [this.photo.naturalWidth, this.photo.naturalHeight];
      const label = this.readOnly ? "The saved design over the photo" : "Drawing area over the photo";
      this.surface = D.createSurface(this.stage, this.size, label, this.statusLine.id);
      const svg = this.surface.svg;
      if (!this.readOnly) {
        svg.addEventListener("pointerdown", (e) => this.onPointerDown(e));
        svg.addEventListener("pointermove", (e) => this.onPointerMove(e));
        svg.addEventListener("pointerup", (e) => this.onPointerUp(e));
        svg.addEventListener("pointercancel", (e) => this.onPointerCancel(e));
        svg.addEventListener("blur", () => { delete svg.dataset.pointerFocus; });
      }
      if (window.ResizeObserver) { new ResizeObserver(() => this.render()).observe(this.stage); }
      this.setTool(this.tool);
      this.root.dataset.designReady = "true";
    }

    handles() {
      if (this.readOnly) { return []; }
      const s = this.state;
      const list = [];
      const add = (shape, points, zone) => points.forEach((point, index) => {
        list.push({ shape, zone, index, point });
      });
      if (this.tool === "hairline" || this.tool === "select") { add("hairline", s.hairline, -1); }
      if (this.tool === "temples" || this.tool === "select") { add("temples", s.temples, -1); }
      if (this.tool === "select") { s.zones.forEach((zone, i) => add("zone", zone.points, i)); }
      if (this.tool === "zone" && s.open >= 0) { add("zone", s.zones[s.open].points, s.open); }
      return list;
    }

    render() {
      if (!this.surface) { return; }
      const rect = this.surface.svg.getBoundingClientRect();
      D.drawDesign(this.surface, {
        state: this.state,
        selected: this.selected,
        size: this.size,
        handles: this.handles(),
        pixel: rect.width ? this.size[0] / rect.width : 1,
      });
    }

    activate() { lastActive = this; }

    pointsOf(ref) {
      return ref.shape === "zone" ? this.state.zones[ref.zone].points : this.state[ref.shape];
    }

    onKey(event) {
      if (isEditable(event.target)) { return; }
      const sel = this.selected;
      if (event.key === "Delete" || event.key === "Backspace") {
        event.preventDefault();
        this.deleteSelected();
      } else if (event.key === "Escape") {
        if (this.state.open >= 0) { this.finishZone(); } else { this.selected = null; this.refresh(); }
      } else if (event.key.startsWith("Arrow") && sel && sel.index >= 0 && this.surface
                 && event.target === this.surface.svg) {
        // Nudging with the arrow keys places a point without any pointer at all.
        event.preventDefault();
        const step = event.shiftKey ? 0.01 : 0.001;
        const moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
        const [dx, dy] = moves[event.key];
        this.change("move a point", () => {
          const points = this.pointsOf(sel);
          const p = points[sel.index];
          points[sel.index] = [M.round4(M.clamp01(p[0] + dx)), M.round4(M.clamp01(p[1] + dy))];
        }, this.describeSelection());
      }
    }
  }

  // Undo and redo work wherever the focus is, except in fields that have their own undo.
  document.addEventListener("keydown", (event) => {
    const key = event.key.toLowerCase();
    if (!(event.ctrlKey || event.metaKey) || event.altKey || (key !== "z" && key !== "y")) { return; }
    if (isEditable(event.target)) { return; }
    const root = event.target.closest && event.target.closest("[data-design-editor]");
    const editor = root ? editors.get(root) : (event.target === document.body ? lastActive : null);
    if (!editor) { return; }
    event.preventDefault();
    if (key === "y" || event.shiftKey) { editor.redo(); } else { editor.undo(); }
  });

  // Leaving with an unsaved drawing asks first. Links and selects marked data-sde-leave (the
  // photo picker, "Add a photo") ask with the clinic's words before they navigate; anything
  // else (a tab closed, another link) gets the browser's own question.
  const started = [];
  const LEAVE_QUESTION = "The drawing has changes that are not saved yet. Leave this page and lose them?";
  let leaving = false;
  const unsaved = () => started.some((editor) => document.contains(editor.root) && editor.hasUnsavedChanges());
  const mayLeave = () => {
    if (leaving || !unsaved() || window.confirm(LEAVE_QUESTION)) { leaving = true; return true; }
    return false;
  };
  window.addEventListener("beforeunload", (event) => {
    if (leaving || !unsaved()) { return; }
    event.preventDefault();
    event.returnValue = "";
  });
  // Capture phase: the question comes before the select's autosubmit (static/js/app.js).
  document.addEventListener("change", (event) => {
    const field = event.target;
    if (!(field.matches && field.matches("select[data-sde-leave]")) || mayLeave()) { return; }
    event.stopImmediatePropagation();
    const shown = Array.from(field.options).find((option) => option.defaultSelected);
    if (shown) { field.value = shown.value; }
  }, true);
  document.addEventListener("click", (event) => {
    const link = event.target.closest && event.target.closest("a[data-sde-leave]");
    const elsewhere = event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey;
    if (link && !elsewhere && !mayLeave()) { event.preventDefault(); }
  }, true);

  function init(root) {
    if (!editors.has(root)) {
      const editor = new Editor(root);
      editors.set(root, editor);
      started.push(editor);
      lastActive = lastActive || editor;
    }
    return editors.get(root);
  }

  function initAll(container) {
    const scope = container || document;
    if (scope.matches && scope.matches("[data-design-editor]")) { init(scope); }
    scope.querySelectorAll("[data-design-editor]").forEach(init);
  }

  Object.assign(Editor.prototype, NS.pointerInput);
  NS.init = init;
  NS.initAll = initAll;
  NS.get = (root) => editors.get(root) || null;
  // htmx fires htmx:load for the page and for every fragment it swaps in.
  document.addEventListener("htmx:load", (event) => initAll(event.target));
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", () => initAll(document));
  } else {
    initAll(document);
  }
})();
