// The "Print" button of the print views. A file rather than an onclick attribute: the
// Content-Security-Policy allows no inline script.
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.addEventListener("click", function () { window.print(); });
});
