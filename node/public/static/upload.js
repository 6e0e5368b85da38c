// Per-file upload progress, one component for the admin's dropzone and the public
// contribution form (no framework, no build step).  Files are sent with XMLHttpRequest
// so upload.onprogress can drive one <progress> per file; cancelling aborts the request:
// the server drops its temp files and stores nothing.
(function () {
  "use strict";

  // ---- the shared component: one list row per file, with a bar and a cancel button ----
  function row(list, file, msg) {
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
    li.dataset.state = "busy";
    list.append(li);
    return { li: li, bar: bar, cancel: cancel, status: status };
  }

  function finish(ui, text, state) {
    ui.status.textContent = text;
    ui.li.dataset.state = state;
    ui.cancel.remove();
  }

  function percent(loaded, total) {
    if (total <= 0) { return 100; }
    return Math.max(0, Math.min(100, Math.floor(loaded * 100 / total)));
  }

  // ---- the admin: one request per file, into a new draft or into the open item ----
  function admin(zone) {
    var csrf = document.querySelector('meta[name="csrf-token"]').content;
    var itemId = zone.dataset.itemId;
    var list = zone.querySelector(".uploads");
    var area = zone.querySelector(".droparea");
    var input = zone.querySelector("input[type=file]");
    var msg = zone.dataset;

    function post(url) {
      return fetch(url, { method: "POST", headers: { "X-CSRF-Token": csrf }, credentials: "same-origin" });
    }

    // Uploading into the item that is open: show the new file in its preview (the form
    // with unsaved edits is left alone) instead of a link to the page we are on.
    function refreshPreview() {
      return fetch(window.location.pathname, { credentials: "same-origin" }).then(function (response) {
        return response.text();
      }).then(function (text) {
        var fresh = new DOMParser().parseFromString(text, "text/html").querySelector(".preview-item");
        var old = document.querySelector(".preview-item");
        if (fresh && old) { old.replaceWith(document.importNode(fresh, true)); }
      });
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
        if (event.lengthComputable) { ui.bar.value = percent(event.loaded, event.total); }
      };
      xhr.onload = function () {
        var body = {};
        try { body = JSON.parse(xhr.responseText); } catch (e) { body = {}; }
        if (xhr.status === 201) {
          ui.bar.value = 100;
          finish(ui, msg.msgDone, "done");
          if (target.created) {
            var link = document.createElement("a");
            link.href = target.editor;
            link.textContent = msg.msgOpen + ": " + file.name;
            ui.status.append(" ", link);
          } else {
            refreshPreview().then(function () { ui.li.dataset.preview = "refreshed"; });
          }
        } else {
          finish(ui, msg.msgFailed + ": " + (body.error || body.detail || xhr.status), "failed");
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
      var ui = row(list, file, msg);
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
  }

  // ---- the public contribution form: one request carries the fields and all files ----
  // (the form token must come before any file), so each file's bar follows its own
  // stretch of the bytes sent.  The answer page replaces the form; without script the
  // form posts as an ordinary page.
  function contribution(form) {
    var msg = form.dataset;
    var input = form.querySelector("input[type=file]");
    var list = form.querySelector(".uploads");
    form.addEventListener("submit", function (event) {
      if (!form.reportValidity()) { return; }
      event.preventDefault();
      var files = Array.prototype.slice.call(input.files);
      var rows = files.map(function (file) { return row(list, file, msg); });
      var sizes = files.map(function (file) { return file.size; });
      var all = sizes.reduce(function (a, b) { return a + b; }, 0);
      var button = form.querySelector("button[type=submit]");
      button.disabled = true;
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.upload.onprogress = function (event) {
        if (!event.lengthComputable) { return; }
        var before = Math.max(0, event.total - all);  // the fields, sent first
        var at = 0;
        rows.forEach(function (ui, i) {
          ui.bar.value = percent(event.loaded - before - at, sizes[i]);
          at += sizes[i];
        });
      };
      function each(text, state) { rows.forEach(function (ui) { finish(ui, text, state); }); }
      xhr.onload = function () {
        var ok = xhr.status === 201;
        if (ok) { rows.forEach(function (ui) { ui.bar.value = 100; }); }
        each(ok ? msg.msgDone : msg.msgFailed, ok ? "done" : "failed");
        var answer = new DOMParser().parseFromString(xhr.responseText, "text/html").querySelector("main");
        var main = document.querySelector("main");
        if (answer && main) {
          var keep = list.cloneNode(true);
          main.replaceWith(document.importNode(answer, true));
          if (files.length) { document.querySelector("main h1").after(keep); }
        }
      };
      xhr.onerror = function () { each(msg.msgFailed + ": " + msg.msgNetwork, "failed"); button.disabled = false; };
      xhr.onabort = function () { each(msg.msgCancelled, "cancelled"); button.disabled = false; };
      rows.forEach(function (ui) { ui.cancel.onclick = function () { xhr.abort(); }; });
      xhr.send(new FormData(form));
    });
  }

  document.querySelectorAll(".dropzone").forEach(admin);
  document.querySelectorAll("form[data-upload=contribution]").forEach(contribution);
})();
