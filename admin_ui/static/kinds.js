// The new-item form: show only the fieldset of the chosen kind (without scripts all are shown).
(function () {
  const select = document.getElementById("f-kind");
  if (!select) return;
  const sets = document.querySelectorAll("fieldset.kind-details");
  function show() {
    sets.forEach((set) => { set.hidden = set.dataset.kind !== select.value; });
  }
  select.addEventListener("change", show);
  show();
})();
