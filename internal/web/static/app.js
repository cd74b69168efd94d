// Sceau: the little JavaScript the forms need. Everything works without
// it; it adds previews of the badge image and of the criteria Markdown.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var file = document.getElementById("f-image");
  var img = document.getElementById("image-preview");
  if (file && img) {
    file.addEventListener("change", function () {
      var f = file.files && file.files[0];
      if (!f) { return; }
      var reader = new FileReader();
      reader.onload = function () { img.src = reader.result; img.hidden = false; };
      reader.readAsDataURL(f);
    });
  }
  var preview = document.getElementById("criteria-preview");
  if (preview) {
    var source = document.getElementById(preview.dataset.source);
    var timer = null;
    var render = function () {
      var body = new URLSearchParams();
      body.set("text", source.value);
      fetch(preview.dataset.endpoint, { method: "POST", body: body, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : ""; })
        .then(function (html) { preview.innerHTML = html; });
    };
    source.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(render, 300);
    });
    render();
  }
});

// The bulk award progress bar follows the job by polling its JSON.
document.addEventListener("DOMContentLoaded", function () {
  var box = document.getElementById("batch-progress-box");
  if (!box || box.dataset.state === "done") { return; }
  var bar = document.getElementById("batch-progress");
  var done = document.getElementById("batch-done");
  var poll = function () {
    fetch(box.dataset.poll, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (b) {
        bar.value = b.done;
        done.textContent = b.done;
        if (b.state === "done" || b.state === "failed") { window.location.reload(); return; }
        setTimeout(poll, 1000);
      })
      .catch(function () { setTimeout(poll, 3000); });
  };
  setTimeout(poll, 500);
});
