// Signature capture on forms marked data-signature-form, with the signature_pad library.
// The drawing goes into the hidden input as a PNG data URL; the server checks it again
// (clients.signatures). Markup: data-signature-area (hidden until this runs), -canvas,
// -input, -clear, -message, and data-signature-box (focused when the box is empty).
// Without JavaScript the pad stays hidden and a <noscript> message explains why.
(function () {
  "use strict";

  var EMPTY_MESSAGE = "Sign in the box above: the signature is missing.";

  function setUp(form) {
    var area = form.querySelector("[data-signature-area]");
    var canvas = form.querySelector("[data-signature-canvas]");
    var input = form.querySelector("[data-signature-input]");
    var clearButton = form.querySelector("[data-signature-clear]");
    var message = form.querySelector("[data-signature-message]");
    if (!area || !canvas || !input || !window.SignaturePad) {
      return;
    }
    area.hidden = false;
    var pad = new window.SignaturePad(canvas, { penColor: "#111111", minWidth: 1, maxWidth: 3 });

    function store() {
      input.value = pad.isEmpty() ? "" : pad.toDataURL("image/png");
    }

    function say(text) {
      if (message) {
        message.textContent = text;
      }
    }

    // The canvas's drawing size follows its displayed size and the screen's pixel density,
    // otherwise strokes land away from the finger and look blurred.
    // The server refuses images over 3000 px a side, so a wide, dense screen draws at a
    // lower density rather than produce a signature it cannot keep.
    var MAX_SIDE = 2000;

    function resize() {
      var strokes = pad.toData();
      var ratio = Math.max(window.devicePixelRatio || 1, 1);
      var longest = Math.max(canvas.offsetWidth, canvas.offsetHeight, 1);
      ratio = Math.min(ratio, MAX_SIDE / longest);
      canvas.width = canvas.offsetWidth * ratio;
      canvas.height = canvas.offsetHeight * ratio;
      canvas.getContext("2d").scale(ratio, ratio);
      pad.clear();
      if (strokes.length) {
        pad.fromData(strokes);
      } else if (input.value) {
        // A signature kept by the server after another field's error is redrawn.
        pad.fromDataURL(input.value);
      }
    }

    resize();
    window.addEventListener("resize", resize);

    pad.addEventListener("endStroke", function () {
      store();
      say("");
    });

    clearButton.addEventListener("click", function () {
      pad.clear();
      input.value = "";
    });

    form.addEventListener("submit", function (event) {
      if (pad.toData().length) {
        store();
      }
      if (!input.value) {
        event.preventDefault();
        say(EMPTY_MESSAGE);
        (form.querySelector("[data-signature-box]") || canvas).focus();
      }
    });
  }

  document.querySelectorAll("[data-signature-form]").forEach(setUp);
})();
