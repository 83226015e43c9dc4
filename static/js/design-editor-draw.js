// Hairline design editor, part 2 of 4: drawing the design as SVG over the photo.
// The SVG's viewBox is the photo's pixel size, so widths below are in photo pixels and match
// the composite (thousandths of the long side, as in consultations/design/render.py);
// handles are sized in screen pixels instead, so that a finger can always grab them.
(function () {
  "use strict";
  const NS = (window.SMPDesignEditor = window.SMPDesignEditor || {});
  if (NS.draw) { return; }

  const SVG_NS = "http://www.w3.org/2000/svg";
  const HANDLE_RADIUS_PX = { fine: 7, coarse: 11 };

  function element(name, attributes, parent) {
    const node = document.createElementNS(SVG_NS, name);
    Object.entries(attributes).forEach(([key, value]) => node.setAttribute(key, String(value)));
    if (parent) { parent.appendChild(node); }
    return node;
  }

  const scaled = (points, w, h) => points.map((p) => `${p[0] * w},${p[1] * h}`).join(" ");
  const sameHandle = (a, b) => Boolean(a && b && a.shape === b.shape && a.zone === b.zone
    && a.index === b.index);

  function drawZones(layer, state, selected, w, h, unit) {
    state.zones.forEach((zone, i) => {
      const common = {
        "data-zone": zone.zone,
        "data-density": zone.density,
        points: scaled(zone.points, w, h),
        "stroke-width": 2.5 * unit,
      };
      if (zone.points.length >= 3) {
        const picked = selected && selected.shape === "zone" && selected.zone === i;
        element("polygon", { class: `sde-zone${picked ? " sde-selected" : ""}`, ...common }, layer);
      }
      if (i === state.open) {
        const dashes = `${6 * unit} ${4 * unit}`;
        element("polyline", { class: "sde-zone-outline", "stroke-dasharray": dashes, ...common }, layer);
      }
    });
  }

  function drawHairline(layer, state, w, h, unit) {
    if (state.hairline.length < 2) { return; }
    const curve = scaled(NS.model.smooth(state.hairline), w, h);
    // A dark casing under the bright line keeps it visible on pale skin and dark hair alike.
    element("polyline", { class: "sde-hairline-casing", points: curve, "stroke-width": 7 * unit }, layer);
    element("polyline", { class: "sde-hairline", points: curve, "stroke-width": 4 * unit }, layer);
  }

  function drawTemples(layer, state, w, h, unit) {
    state.temples.forEach((p) => {
      const centre = { cx: p[0] * w, cy: p[1] * h };
      element("circle", { class: "sde-temple-ring", r: Math.max(3, 9 * unit), ...centre }, layer);
      element("circle", { class: "sde-temple", r: Math.max(2, 7 * unit), ...centre }, layer);
      element("circle", { class: "sde-temple-dot", r: Math.max(1, 3.5 * unit), ...centre }, layer);
    });
  }

  // handles: [{shape, zone, index, point}]; pixel: photo pixels per screen pixel.
  function drawHandles(layer, state, handles, selected, w, h, pixel) {
    const coarse = window.matchMedia && window.matchMedia("(pointer: coarse)").matches;
    const radius = (coarse ? HANDLE_RADIUS_PX.coarse : HANDLE_RADIUS_PX.fine) * pixel;
    handles.forEach((handle) => {
      const first = handle.shape === "zone" && handle.zone === state.open && handle.index === 0
        && state.zones[state.open].points.length >= 3;
      let cls = "sde-handle";
      if (sameHandle(handle, selected)) { cls += " sde-handle-selected"; }
      if (first) { cls += " sde-handle-first"; }
      element("circle", {
        class: cls,
        cx: handle.point[0] * w,
        cy: handle.point[1] * h,
        r: first ? radius * 1.3 : radius,
      }, layer);
    });
  }

  function createSurface(stage, size, label, describedBy) {
    const svg = element("svg", {
      class: "sde-overlay",
      viewBox: `0 0 ${size[0]} ${size[1]}`,
      tabindex: 0,
      role: "group",
      "aria-label": label,
      "aria-describedby": describedBy,
      "data-testid": "design-surface",
    }, stage);
    const layers = {};
    ["zones", "lines", "temples", "handles"].forEach((name) => {
      layers[name] = element("g", { "data-layer": name }, svg);
    });
    return { svg, layers };
  }

  function drawDesign(surface, view) {
    const { layers } = surface;
    const [w, h] = view.size;
    const unit = Math.max(w, h) / 1000;
    Object.values(layers).forEach((layer) => layer.replaceChildren());
    drawZones(layers.zones, view.state, view.selected, w, h, unit);
    drawHairline(layers.lines, view.state, w, h, unit);
    drawTemples(layers.temples, view.state, w, h, unit);
    drawHandles(layers.handles, view.state, view.handles, view.selected, w, h, view.pixel);
  }

  NS.draw = { createSurface, drawDesign, sameHandle };
})();
