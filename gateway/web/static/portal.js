// The portal's own script: small behaviours that must not be inline (the CSP allows no inline script).
"use strict";
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-print]");
  if (button) {
    window.print();
  }
});
// After a form comes back with errors, move focus to its summary so screen readers announce it.
document.addEventListener("DOMContentLoaded", () => {
  const summary = document.querySelector(".error-summary");
  if (summary) {
    summary.focus();
  }
});
