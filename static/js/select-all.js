// "Select every report on this page": ticks or unticks every box named by data-select-all.
// A file rather than an inline handler: the Content-Security-Policy allows no inline script.
document.querySelectorAll("[data-select-all]").forEach(function (master) {
  var boxes = master.form.querySelectorAll('input[type=checkbox][name="' + master.dataset.selectAll + '"]');
  master.addEventListener("change", function () {
    boxes.forEach(function (box) { box.checked = master.checked; });
  });
});
