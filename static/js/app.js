// SMP Clinic page behaviour. No inline scripts anywhere: pages opt in with data attributes.
(function () {
  "use strict";

  // Forms and buttons with data-confirm ask before a destructive action.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var submitter = event.submitter;
    var question = (submitter && submitter.dataset.confirm) || form.dataset.confirm;
    if (question && !window.confirm(question)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  // Selects marked data-autosubmit submit their form when changed.
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field.matches && field.matches("[data-autosubmit]") && field.form) {
      field.form.requestSubmit();
    }
  });

  // htmx content loaded into the shared modal opens it; "closeModal" from the server closes it.
  var modalElement = document.getElementById("app-modal");
  function modal() {
    return window.bootstrap ? window.bootstrap.Modal.getOrCreateInstance(modalElement) : null;
  }
  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "app-modal-content" && modal()) {
      modal().show();
    }
  });
  document.body.addEventListener("closeModal", function () {
    if (modal()) { modal().hide(); }
  });

  // A failed htmx request never fails silently.
  function showError(text) {
    var box = document.getElementById("messages");
    if (!box) { return; }
    var alert = document.createElement("div");
    alert.className = "alert alert-danger alert-dismissible fade show";
    alert.setAttribute("role", "alert");
    alert.textContent = text;
    var close = document.createElement("button");
    close.type = "button";
    close.className = "btn-close";
    close.setAttribute("data-bs-dismiss", "alert");
    close.setAttribute("aria-label", "Close");
    alert.appendChild(close);
    box.appendChild(alert);
  }
  document.body.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    var status = xhr ? xhr.status : 0;
    if (status === 403 && xhr.getResponseHeader("X-Refused") === "page-expired") {
      showError("This page has expired and nothing was saved. Reload the page, then try again.");
    } else if (status === 403) {
      showError("That action is not open to your role.");
    } else if (status === 404) {
      showError("That record no longer exists. Reload the page to see the latest.");
    } else {
      showError("Something went wrong and nothing was changed. Please try again.");
    }
  });
  document.body.addEventListener("htmx:sendError", function () {
    showError("The clinic server could not be reached. Check the connection and try again.");
  });
})();
