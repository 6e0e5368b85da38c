// "Locatie uit de foto overnemen": the editor chooses to use the place a photo was taken.
// The file itself never keeps it; this only fills the item's latitude and longitude.
(function () {
  "use strict";
  document.querySelectorAll("[data-photo-location]").forEach(function (button) {
    button.addEventListener("click", function () {
      var lat = document.getElementById("f-latitude");
      var lon = document.getElementById("f-longitude");
      if (!lat || !lon) { return; }
      lat.value = button.getAttribute("data-lat");
      lon.value = button.getAttribute("data-lon");
      lat.dispatchEvent(new Event("input", { bubbles: true }));
      lat.focus();
    });
  });
})();
