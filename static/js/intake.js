// Medical intake form: show a question's follow-up (details, date) only once "Yes" is
// chosen. Without JavaScript every follow-up stays visible and the server checks it.
(function () {
  "use strict";

  function answerIsYes(form, name) {
    var yes = form.querySelector('input[name="' + name + '"][value="yes"]');
    return Boolean(yes && yes.checked);
  }

  function sync(form) {
    form.querySelectorAll("[data-intake-if-yes]").forEach(function (box) {
      var name = box.getAttribute("data-intake-if-yes");
      // A follow-up with an error stays visible whatever the answer, so the message is seen.
      var hasError = box.querySelector(".invalid-feedback") !== null;
      box.hidden = !(answerIsYes(form, name) || hasError);
    });
  }

  document.querySelectorAll("[data-intake-form]").forEach(function (form) {
    sync(form);
    form.addEventListener("change", function (event) {
      if (event.target.matches("[data-intake-answer]")) {
        sync(form);
      }
    });
  });
})();
