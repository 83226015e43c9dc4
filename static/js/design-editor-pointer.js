// Hairline design editor, part 3 of 4: pointer input, mixed into the editor (part 4).
// Pointer Events carry mouse, finger and stylus alike; hit tests are in screen pixels so a
// fingertip grabs a handle as easily on a 50-megapixel photo as on a small one.
(function () {
  "use strict";
  const NS = (window.SMPDesignEditor = window.SMPDesignEditor || {});
  if (NS.pointerInput) { return; }
  const M = NS.model;

  const DRAG_THRESHOLD_PX = 4;
  // A fingertip covers far more of the screen than a cursor or a stylus tip.
  const HIT_RADIUS_PX = { mouse: 14, pen: 20, touch: 28 };

  const distance = (a, b) => Math.hypot(a[0] - b[0], a[1] - b[1]);

  NS.pointerInput = {
    // The pointer as a photo-relative point, plus a mapping to screen pixels for hit tests.
    locate(event) {
      const rect = this.surface.svg.getBoundingClientRect();
      const x = M.clamp01((event.clientX - rect.left) / rect.width);
      const y = M.clamp01((event.clientY - rect.top) / rect.height);
      return {
        point: [M.round4(x), M.round4(y)],
        client: [event.clientX, event.clientY],
        toScreen: (p) => [rect.left + p[0] * rect.width, rect.top + p[1] * rect.height],
      };
    },

    hitHandle(where, radius) {
      let best = null;
      let bestDistance = radius;
      this.handles().forEach((handle) => {
        const d = distance(where.toScreen(handle.point), where.client);
        if (d <= bestDistance) { best = handle; bestDistance = d; } // ties: the later point is on top
      });
      return best;
    },

    // Where a new hairline point goes: between the two points whose stretch of curve was
    // tapped, else at the nearer end, so the line can be extended either way.
    hairlineIndex(where, radius) {
      const line = this.state.hairline;
      const curve = M.smooth(line).map(where.toScreen);
      let index = line.length;
      let nearest = radius;
      for (let i = 0; i + 1 < curve.length; i++) {
        const d = M.distanceToSegment(where.client, curve[i], curve[i + 1]);
        if (d <= nearest) {
          nearest = d;
          index = (line.length < 3 ? 0 : Math.floor(i / M.SAMPLES_PER_SEGMENT)) + 1;
        }
      }
      if (index === line.length && line.length >= 2) {
        const away = (p) => distance(where.toScreen(p), where.client);
        if (away(line[0]) < away(line[line.length - 1])) { index = 0; }
      }
      return index;
    },

    // Adds a point for the current tool: {ref, label}, or null once the reason is said.
    addPoint(where, radius) {
      const s = this.state;
      const limits = M.LIMITS;
      const refuse = (message) => { this.say(message); return null; };
      if (M.totalPoints(s) >= limits.total) {
        return refuse(`A design holds at most ${limits.total} points.`);
      }
      if (this.tool === "hairline") {
        if (s.hairline.length >= limits.hairline) {
          return refuse(`The hairline has the most points allowed (${limits.hairline}).`);
        }
        const index = this.hairlineIndex(where, radius);
        s.hairline.splice(index, 0, where.point);
        return { ref: { shape: "hairline", zone: -1, index }, label: "add a hairline point" };
      }
      if (this.tool === "temples") {
        if (s.temples.length >= limits.temples) {
          return refuse("Both temple points are placed: drag one to move it, or select it and press Delete.");
        }
        s.temples.push(where.point);
        const ref = { shape: "temples", zone: -1, index: s.temples.length - 1 };
        return { ref, label: "place a temple point" };
      }
      if (this.tool !== "zone") { return null; }
      if (s.open < 0) {
        if (s.zones.length >= limits.zones) {
          return refuse(`A design holds at most ${limits.zones} zones.`);
        }
        const f = this.fields;
        s.zones.push({ zone: f.zone.value, density: f.density.value, shade: f.shade.value, points: [] });
        s.open = s.zones.length - 1;
      }
      const zone = s.zones[s.open];
      if (zone.points.length >= limits.zonePoints) {
        return refuse(`A zone has at most ${limits.zonePoints} points.`);
      }
      zone.points.push(where.point);
      const ref = { shape: "zone", zone: s.open, index: zone.points.length - 1 };
      return { ref, label: "add a zone point" };
    },

    // A press grabs the handle under it, or adds a point that follows the pointer until it
    // is lifted: one undo step, and a finger can still place precisely a point it covers.
    onPointerDown(event) {
      if (this.gesture || (event.pointerType === "mouse" && event.button !== 0)) { return; }
      event.preventDefault();
      this.activate();
      const svg = this.surface.svg;
      svg.dataset.pointerFocus = "true";
      svg.focus({ preventScroll: true });
      try {
        svg.setPointerCapture(event.pointerId);
      } catch (error) {
        // Synthetic pointers cannot be captured; moves still reach the surface under them.
      }
      const where = this.locate(event);
      const radius = HIT_RADIUS_PX[event.pointerType] || HIT_RADIUS_PX.touch;
      const gesture = {
        id: event.pointerId, before: this.snapshot(), start: where.client, moved: false,
        target: null, label: "move a point", closes: false, message: undefined,
      };
      const hit = this.hitHandle(where, radius);
      if (hit) {
        this.selected = gesture.target = hit;
        gesture.closes = this.tool === "zone" && hit.shape === "zone" && hit.index === 0
          && this.pointsOf(hit).length >= 3;
        gesture.message = this.describeSelection();
      } else {
        const added = this.addPoint(where, radius);
        if (added) {
          this.selected = gesture.target = added.ref;
          gesture.label = added.label;
        } else if (this.tool === "select") {
          const zones = this.state.zones;
          const index = zones.map((z, i) => i).reverse()
            .find((i) => M.insidePolygon(where.point, zones[i].points));
          this.selected = index === undefined ? null : { shape: "zone", zone: index, index: -1 };
          gesture.message = this.describeSelection();
        } else {
          gesture.message = this.statusLine.textContent; // keep the refusal in view
        }
      }
      this.gesture = gesture;
      this.syncFields();
      this.render();
    },

    onPointerMove(event) {
      const g = this.gesture;
      if (!g || event.pointerId !== g.id || !g.target) { return; }
      if (!g.moved && distance([event.clientX, event.clientY], g.start) < DRAG_THRESHOLD_PX) { return; }
      g.moved = true;
      this.pointsOf(g.target)[g.target.index] = this.locate(event).point;
      if (!this.frame) {
        this.frame = window.requestAnimationFrame(() => { this.frame = null; this.render(); });
      }
    },

    onPointerUp(event) {
      const g = this.gesture;
      if (!g || event.pointerId !== g.id) { return; }
      this.gesture = null;
      if (g.closes && !g.moved) { this.closeZone(); return; }
      this.commit(g.before, g.label, g.moved ? undefined : g.message);
    },

    // The system took the pointer (a palm, a scroll, an alert): put back what it changed.
    onPointerCancel(event) {
      const g = this.gesture;
      if (!g || event.pointerId !== g.id) { return; }
      this.gesture = null;
      this.state = JSON.parse(g.before);
      this.selected = null;
      this.refresh("Drawing interrupted; nothing was changed.");
    },
  };
})();
