// Upload with a progress bar per file and a cancel button (no framework, no build step).
// Each file is streamed with XMLHttpRequest so upload.onprogress can drive <progress>;
// cancelling aborts the request: the server drops its temp file and stores nothing,
// and a draft item made for the file on the upload page is deleted again.
(function () {
  "use strict";
  var zone = document.querySelector(".dropzone");
  if (!zone) { return; }
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  var itemId = zone.dataset.itemId;
  var list = document.getElementById("uploads");
  var area = document.getElementById("droparea");
  var input = document.getElementById("file-input");
  var msg = zone.dataset;

  function post(url) {
    return fetch(url, { method: "POST", headers: { "X-CSRF-Token": csrf }, credentials: "same-origin" });
  }

  function row(file) {
    var li = document.createElement("li");
    li.className = "upload";
    var name = document.createElement("span");
    name.className = "upload-name";
    name.textContent = file.name;
    var bar = document.createElement("progress");
    bar.max = 100;
    bar.value = 0;
    bar.setAttribute("aria-label", msg.msgBusy + ": " + file.name);
    var cancel = document.createElement("button");
    cancel.type = "button";
    cancel.className = "upload-cancel";
    cancel.textContent = msg.msgCancel;
    cancel.setAttribute("aria-label", msg.msgCancel + ": " + file.name);
    var status = document.createElement("p");
    status.className = "upload-status";
    li.append(name, cancel, bar, status);
    list.append(li);
    return { li: li, bar: bar, cancel: cancel, status: status };
  }

  function finish(ui, text, state) {
    ui.status.textContent = text;
    ui.li.dataset.state = state;
    ui.cancel.remove();
  }

  function send(file, ui, target) {
    var xhr = new XMLHttpRequest();
    var form = new FormData();
    form.append("file", file, file.name);
    // the editor's tick: video and audio are remuxed without location and device metadata
    var strip = document.getElementById("strip-metadata");
    var url = target.upload;
    if (strip && strip.checked) { url += (url.indexOf("?") < 0 ? "?" : "&") + "strip=1"; }
    xhr.open("POST", url);
    xhr.setRequestHeader("X-CSRF-Token", csrf);
    xhr.upload.onprogress = function (event) {
      if (event.lengthComputable) { ui.bar.value = Math.floor(event.loaded * 100 / event.total); }
    };
    xhr.onload = function () {
      var body = {};
      try { body = JSON.parse(xhr.responseText); } catch (e) { body = {}; }
      if (xhr.status === 201) {
        ui.bar.value = 100;
        finish(ui, msg.msgDone, "done");
        var link = document.createElement("a");
        link.href = target.editor;
        link.textContent = msg.msgOpen + ": " + file.name;
        ui.status.append(" ", link);
      } else {
        finish(ui, msg.msgFailed + ": " + (body.error || xhr.status), "failed");
        if (target.created) { post("/admin/items/" + target.id + "/delete"); }
      }
    };
    xhr.onerror = function () { finish(ui, msg.msgFailed + ": " + msg.msgNetwork, "failed"); };
    xhr.onabort = function () {
      var done = function () { finish(ui, msg.msgCancelled, "cancelled"); };
      if (target.created) { post("/admin/items/" + target.id + "/delete").then(done, done); } else { done(); }
    };
    ui.cancel.onclick = function () { xhr.abort(); };
    xhr.send(form);
  }

  function start(file) {
    var ui = row(file);
    if (itemId) {
      send(file, ui, { id: itemId, upload: "/admin/items/" + itemId + "/media", editor: "/admin/items/" + itemId, created: false });
      return;
    }
    var query = "?name=" + encodeURIComponent(file.name) + "&type=" + encodeURIComponent(file.type || "");
    post("/admin/upload/start" + query).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.json();
    }).then(function (target) {
      target.created = true;
      send(file, ui, target);
    }).catch(function (error) { finish(ui, msg.msgFailed + ": " + error.message, "failed"); });
  }

  function startAll(files) { Array.prototype.forEach.call(files, start); }

  input.addEventListener("change", function () { startAll(input.files); input.value = ""; });
  ["dragenter", "dragover"].forEach(function (type) {
    area.addEventListener(type, function (event) { event.preventDefault(); area.classList.add("dragging"); });
  });
  ["dragleave", "drop"].forEach(function (type) {
    area.addEventListener(type, function () { area.classList.remove("dragging"); });
  });
  area.addEventListener("drop", function (event) {
    event.preventDefault();
    startAll(event.dataTransfer.files);
  });
})();
