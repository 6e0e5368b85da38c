// The organisation form carries pictures, so it is multipart and cannot carry the CSRF
// form field the guard reads: it is posted with the X-CSRF-Token header (as the import
// and upload forms are).  A saved profile follows the server's redirect; a refusal
// shows the server's page (typed values and the reason) in place of the form.
(function () {
  "use strict";
  var csrf = document.querySelector('meta[name="csrf-token"]').content;

  function bind() {
    var form = document.querySelector("form[data-organisation]");
    if (!form) { return; }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var button = form.querySelector("button[type=submit]");
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
