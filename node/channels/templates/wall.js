(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("wall-data").textContent);
  // The feed's labels (credit, licence) follow this page's language, not the browser's.
  var feedUrl = location.pathname.replace(/\/$/, "") + "/feed.json?lang=" +
    encodeURIComponent(document.documentElement.lang || "nl");
  var cacheKey = "mediakring-wall:" + location.pathname;
  var stage = document.getElementById("stage");
  var offline = document.getElementById("offline");
  var state = { feed: config.feed, index: 0 };

  function save(feed) {
    try { localStorage.setItem(cacheKey, JSON.stringify(feed)); } catch (e) { /* full or off */ }
  }
  function cached() {
    try { return JSON.parse(localStorage.getItem(cacheKey) || "null"); } catch (e) { return null; }
  }
  function make(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text) { node.textContent = text; }
    return node;
  }
  function seconds() {
    var s = state.feed && state.feed.screen && state.feed.screen.rotate_seconds;
    return s > 0 ? s : 15;
  }
  function show() {
    var items = (state.feed && state.feed.items) || [];
    stage.textContent = "";
    if (!items.length) { stage.appendChild(make("p", "empty", config.texts.empty)); return; }
    var item = items[state.index % items.length];
    var slide = make("article", "slide");
    if (item.video) {
      var video = make("video");
      video.muted = true; video.autoplay = true; video.loop = true; video.playsInline = true;
      if (item.image) { video.poster = item.image; }
      video.src = item.video;
      slide.appendChild(video);
    } else if (item.image) {
      var img = make("img");
      img.alt = "";
      img.src = item.image;
      slide.appendChild(img);
    }
    var words = make("div", "text");
    words.appendChild(make("h1", null, item.title));
    if (item.summary) { words.appendChild(make("p", "summary", item.summary)); }
    words.appendChild(make("p", "credit", item.credit_line));
    slide.appendChild(words);
    stage.appendChild(slide);
  }
  function rotate() {
    state.index += 1;
    show();
    setTimeout(rotate, seconds() * 1000);
  }
  function refresh() {
    fetch(feedUrl, { cache: "no-store", headers: { "Accept": "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error("HTTP " + r.status); } return r.json(); })
      .then(function (feed) { state.feed = feed; save(feed); offline.hidden = true; })
      .catch(function () { offline.hidden = false; })
      .then(function () { setTimeout(refresh, config.poll_seconds * 1000); });
  }

  var previous = cached();
  if (previous && previous.generated_at > state.feed.generated_at) { state.feed = previous; }
  save(state.feed);
  show();
  setTimeout(rotate, seconds() * 1000);
  setTimeout(refresh, config.poll_seconds * 1000);
})();
