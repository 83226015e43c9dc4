// Buttons marked data-print open the browser's print dialog. They stay hidden without
// JavaScript, where the browser's own Print menu does the same.
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      window.print();
    });
  });
})();
