// A background job's page: asks the job's status (JSON) every second and shows it, without a
// reload; when the job has finished, opens the page of its outcome. When no background
// worker is alive the page says so instead of spinning. No inline script: the CSP allows none.
(function () {
  var box = document.getElementById("job-progress");
  if (!box) { return; }
  function set(selector, text) {
    var node = box.querySelector(selector);
    if (node) { node.textContent = text; }
  }
  function poll() {
    fetch(box.dataset.statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : Promise.reject(response.status); })
      .then(function (job) {
        if (!job.running) { window.location.assign(box.dataset.doneUrl); return; }
        set("[data-job-label]", job.label);
        set("[data-job-checked]", job.checked);
        set("[data-job-total]", job.total);
        set("[data-job-percent]", job.percent);
        var bar = box.querySelector("[data-job-bar]");
        if (bar) { bar.value = job.percent; bar.textContent = job.percent + " %"; }
        var warning = box.querySelector("[data-job-no-worker]");
        if (warning) { warning.classList.toggle("d-none", job.worker_alive); }
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 500);
})();
