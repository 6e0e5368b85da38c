// The item editor: warn before leaving the page with changes that were not saved.
// Every form marked data-warn-unsaved counts; submitting it is not leaving.
(function () {
  const forms = document.querySelectorAll("form[data-warn-unsaved]");
  if (!forms.length) return;
  let dirty = false;
  forms.forEach((form) => {
    form.addEventListener("input", () => { dirty = true; });
    form.addEventListener("change", () => { dirty = true; });
    form.addEventListener("submit", () => { dirty = false; });
  });
  window.addEventListener("beforeunload", (event) => {
    if (!dirty) return;
    event.preventDefault();
    event.returnValue = "";
  });
})();
