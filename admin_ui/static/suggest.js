// Suggestions as you type: fills the <datalist> of every input[data-suggest] with the
// titles the suggestion endpoint returns (same search rules as the result list).
(function () {
  "use strict";
  document.querySelectorAll("input[data-suggest]").forEach(function (input) {
    var list = document.getElementById(input.getAttribute("list"));
    if (!list) return;
    var timer = null;
    var last = null;
    var asked = 0;
    function ask() {
      var q = input.value.trim();
      if (q.length < 3 || q === last) return;
      last = q;
      var mine = ++asked;
      fetch(input.dataset.suggest + "?q=" + encodeURIComponent(q), {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
        .then(function (r) { return r.ok ? r.json() : { suggestions: [] }; })
        .then(function (data) {
          if (mine !== asked) return; // an older answer arriving late
          list.replaceChildren();
          (data.suggestions || []).forEach(function (title) {
            var option = document.createElement("option");
            option.value = title;
            list.appendChild(option);
          });
          input.dataset.suggested = String((data.suggestions || []).length);
        })
        .catch(function () {});
    }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(ask, 150);
    });
  });
})();
