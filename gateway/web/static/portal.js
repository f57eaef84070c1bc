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
// New claim: a suggested code goes into its box at once (without script the button posts the form
// and the server fills it in).
document.addEventListener("click", (event) => {
  const choice = event.target.closest("[data-pick-for]");
  if (!choice) {
    return;
  }
  const input = document.getElementById(choice.dataset.pickFor);
  if (!input) {
    return;
  }
  event.preventDefault();
  input.value = choice.dataset.code;
  const picked = input.parentElement.querySelector("[data-picked]");
  if (picked) {
    picked.textContent = choice.dataset.description || "";
  }
  const list = choice.closest(".choices");
  if (list) {
    list.replaceChildren();
  }
  input.focus();
});
// Live parts of a page ask again only while the tab is visible.
document.addEventListener("htmx:beforeRequest", (event) => {
  if (document.hidden && event.detail.elt.matches("[data-poll]")) {
    event.preventDefault();
  }
});
// Typing in a code box again: the description shown was for the code picked before.
document.addEventListener("input", (event) => {
  const box = event.target.parentElement;
  const picked = box ? box.querySelector("[data-picked]") : null;
  if (picked) {
    picked.textContent = "";
  }
});
