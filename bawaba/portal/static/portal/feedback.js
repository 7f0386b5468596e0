// Progressive enhancement of the "Is this page useful?" panel: send without leaving the
// page. Without JavaScript the forms post and show a thank-you page.
(function () {
  "use strict";
  var panel = document.querySelector("[data-feedback]");
  if (!panel || !window.fetch || !window.FormData) return;
  var status = panel.querySelector("[data-feedback-status]");
  panel.querySelectorAll("[data-feedback-form]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var data = new FormData(form);
      if (event.submitter && event.submitter.name) data.append(event.submitter.name, event.submitter.value);
      fetch(form.action, { method: "POST", body: data, credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body }; }); })
        .then(function (res) {
          status.textContent = res.body.message || "";
          if (res.ok) {
            panel.querySelectorAll("form, details").forEach(function (el) { el.hidden = true; });
          }
          status.focus && status.setAttribute("tabindex", "-1");
          status.focus && status.focus();
        })
        .catch(function () { form.submit(); });
    });
  });
})();
