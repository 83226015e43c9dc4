// Hairline design editor, part 1 of 4: the design as data, with no DOM. The format and the
// limits are those of consultations/design/schema.py, and the smoothing is the same
// operation for operation as consultations/design/curve.py, so the browser and the
// server's composite draw the very same curve from the stored JSON.
(function () {
  "use strict";
  const NS = (window.SMPDesignEditor = window.SMPDesignEditor || {});
  if (NS.model) { return; }

  const LIMITS = { hairline: 200, zonePoints: 500, zones: 40, temples: 2, total: 2000, notes: 2000 };
  const MIN_ZONE_AREA = 1e-6; // the server refuses smaller zones as slips of the finger
  const SAMPLES_PER_SEGMENT = 16;

  // Adding 0 turns -0 into 0, as the server does, so equal designs serialise identically.
  const round4 = (v) => Math.round(v * 1e4) / 1e4 + 0;
  const clamp01 = (v) => Math.min(1, Math.max(0, v));
  const copyPoints = (points) => points.map((p) => [p[0], p[1]]);

  function blend(p0, p1, p2, p3, t) {
    const t2 = t * t;
    const t3 = t2 * t;
    return 0.5 * (
      2 * p1
      + (p2 - p0) * t
      + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t2
      + (3 * p1 - p0 - 3 * p2 + p3) * t3
    );
  }

  // Uniform Catmull-Rom through every control point, sampled into a polyline.
  function smooth(points, samplesPerSegment) {
    const steps = samplesPerSegment || SAMPLES_PER_SEGMENT;
    const n = points.length;
    if (n < 3) { return copyPoints(points); }
    const out = [];
    for (let i = 0; i < n - 1; i++) {
      const p0 = points[Math.max(i - 1, 0)];
      const p1 = points[i];
      const p2 = points[i + 1];
      const p3 = points[Math.min(i + 2, n - 1)];
      for (let s = 0; s < steps; s++) {
        const t = s / steps;
        out.push([blend(p0[0], p1[0], p2[0], p3[0], t), blend(p0[1], p1[1], p2[1], p3[1], t)]);
      }
    }
    out.push([points[n - 1][0], points[n - 1][1]]);
    return out;
  }

  function area(points) {
    let twice = 0;
    points.forEach((p, i) => {
      const q = points[(i + 1) % points.length];
      twice += p[0] * q[1] - q[0] * p[1];
    });
    return Math.abs(twice) / 2;
  }

  function insidePolygon(point, polygon) {
    let inside = false;
    for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
      const [xi, yi] = polygon[i];
      const [xj, yj] = polygon[j];
      const crosses = (yi > point[1]) !== (yj > point[1]);
      if (crosses && point[0] < ((xj - xi) * (point[1] - yi)) / (yj - yi) + xi) { inside = !inside; }
    }
    return inside;
  }

  function distanceToSegment(p, a, b) {
    const dx = b[0] - a[0];
    const dy = b[1] - a[1];
    const lengthSq = dx * dx + dy * dy;
    const t = lengthSq ? clamp01(((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / lengthSq) : 0;
    return Math.hypot(p[0] - a[0] - t * dx, p[1] - a[1] - t * dy);
  }

  const zoneIsComplete = (zone) => zone.points.length >= 3 && area(zone.points) >= MIN_ZONE_AREA;
  const totalPoints = (state) => state.hairline.length + state.temples.length
    + state.zones.reduce((sum, zone) => sum + zone.points.length, 0);

  // The editor's working state: the design plus the index of the zone being drawn (-1: none).
  function emptyState(defaults) {
    return { style: defaults.style, hairline: [], temples: [], zones: [], notes: "", open: -1 };
  }

  // Saved data is trusted only as far as it is well formed: anything else is dropped here,
  // and the server's check has the last word. vocabulary maps a field to its allowed codes;
  // defaults gives each field's value for data that lacks one.
  function fromDesign(data, vocabulary, defaults) {
    const state = emptyState(defaults);
    if (!data || typeof data !== "object") { return state; }
    const points = (value, limit) => (Array.isArray(value) ? value : []).slice(0, limit)
      .filter((p) => Array.isArray(p) && p.length === 2 && p.every((v) => Number.isFinite(v)))
      .map((p) => [round4(clamp01(p[0])), round4(clamp01(p[1]))]);
    const pick = (name, value) => (vocabulary[name].includes(value) ? value : defaults[name]);
    const hairline = data.hairline || {};
    state.style = pick("style", hairline.style);
    state.hairline = points(hairline.points, LIMITS.hairline);
    state.temples = points(data.temples, LIMITS.temples);
    (Array.isArray(data.zones) ? data.zones : []).slice(0, LIMITS.zones).forEach((zone) => {
      if (!zone || !vocabulary.zone.includes(zone.zone)) { return; }
      state.zones.push({
        zone: zone.zone,
        points: points(zone.points, LIMITS.zonePoints),
        density: pick("density", zone.density),
        shade: pick("shade", zone.shade),
      });
    });
    state.notes = typeof data.notes === "string" ? data.notes.slice(0, LIMITS.notes) : "";
    return state;
  }

  // What is saved: complete shapes only (a line needs 2 points, a zone 3 around an area).
  function toDesign(state) {
    return {
      format: 1,
      hairline: {
        style: state.style,
        points: state.hairline.length >= 2 ? copyPoints(state.hairline) : [],
      },
      temples: copyPoints(state.temples),
      zones: state.zones.filter(zoneIsComplete).map((zone) => ({
        zone: zone.zone,
        points: copyPoints(zone.points),
        density: zone.density,
        shade: zone.shade,
      })),
      notes: state.notes,
    };
  }

  NS.smooth = smooth;
  NS.model = {
    LIMITS, MIN_ZONE_AREA, SAMPLES_PER_SEGMENT, round4, clamp01, smooth, area, insidePolygon,
    distanceToSegment, zoneIsComplete, totalPoints, emptyState, fromDesign, toDesign,
  };
})();
