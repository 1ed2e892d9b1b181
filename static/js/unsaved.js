// Warn before leaving a report form with figures typed but not saved. Any submit of the
// form itself (save, submit, nothing to report) is a deliberate leave and is let through.
// A file rather than inline script: the Content-Security-Policy allows no inline script.
document.querySelectorAll("form[data-warn-unsaved]").forEach(function (form) {
  var dirty = false;
  form.addEventListener("input", function () { dirty = true; });
  form.addEventListener("change", function () { dirty = true; });
  form.addEventListener("submit", function () { dirty = false; });
  window.addEventListener("beforeunload", function (event) {
    if (!dirty) { return; }
    event.preventDefault();
    event.returnValue = "";
  });
});
