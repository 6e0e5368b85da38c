// Forms that carry files are multipart, and a multipart body cannot carry the CSRF form
// field the guard reads. Such forms (marked data-multipart-form) are posted with the
// X-CSRF-Token header, as on the upload page. An answer that succeeded (usually after the
// server's redirect) is followed; a refusal shows the server's page (the typed values and
// the reason) in place of the form, with the focus on the first field that is wrong.
(function () {
  "use strict";
  var csrf = document.querySelector('meta[name="csrf-token"]').content;

  function bind() {
    var form = document.querySelector("form[data-multipart-form]");
    if (!form) { return; }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var button = form.querySelector("button[type=submit]") || form.querySelector("button");
      button.disabled = true;
      fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        headers: { "X-CSRF-Token": csrf },
        credentials: "same-origin"
      }).then(function (response) {
        if (response.ok) { window.location.assign(response.url); return; }
        return response.text().then(function (html) {
          var page = new DOMParser().parseFromString(html, "text/html");
          var main = page.querySelector("main");
          if (!main) { window.location.assign(form.action); return; }
          document.querySelector("main").replaceWith(main);
          document.title = page.title;
          var wrong = main.querySelector("[aria-invalid=true]");
          (wrong || main).focus();
          bind();
        });
      }).catch(function () {
        button.disabled = false;
      });
    });
  }
  bind();
})();
