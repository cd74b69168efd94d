// Sceau: drag and drop on the verification page. Without JavaScript the
// drop zone is the file field's label and the form works the same; with
// it, a file dropped on the zone is put in the field and the form sent.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var zone = document.getElementById("drop-zone");
  var input = zone && document.getElementById(zone.dataset.drop);
  if (!zone || !input || typeof DataTransfer === "undefined") { return; }
  var over = function (e) {
    e.preventDefault();
    zone.classList.add("dragging");
  };
  zone.addEventListener("dragenter", over);
  zone.addEventListener("dragover", over);
  zone.addEventListener("dragleave", function () { zone.classList.remove("dragging"); });
  zone.addEventListener("drop", function (e) {
    e.preventDefault();
    zone.classList.remove("dragging");
    var files = e.dataTransfer && e.dataTransfer.files;
    if (!files || files.length === 0) { return; }
    var dt = new DataTransfer();
    dt.items.add(files[0]);
    input.files = dt.files;
    if (input.form) { input.form.requestSubmit ? input.form.requestSubmit() : input.form.submit(); }
  });
});
