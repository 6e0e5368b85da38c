// The library's import form: a multipart upload cannot carry the CSRF form field the
// guard reads, so the file is posted with the X-CSRF-Token header (as on the upload page)
// and the browser follows the server's answer, the library page with the result.
(function () {
  "use strict";
  var form = document.querySelector("form[data-import]");
  if (!form) { return; }
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var button = form.querySelector("button");
    button.disabled = true;
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { "X-CSRF-Token": csrf },
      credentials: "same-origin"
    }).then(function (response) {
      window.location.assign(response.url);
    }).catch(function () {
      button.disabled = false;
    });
  });
})();
