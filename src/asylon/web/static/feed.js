/* The activity page follows new events live (server-sent events); without this file it is a plain list
   with a "Show newer" link. Text is inserted with textContent only: nothing from an event becomes markup. */
(function () {
  "use strict";
  var list = document.getElementById("feed");
  if (!list || !window.EventSource) { return; }
  var labels = {};
  try { labels = JSON.parse(list.getAttribute("data-labels") || "{}"); } catch (e) { labels = {}; }
  var purpose = list.getAttribute("data-purpose");
  var source = new EventSource(list.getAttribute("data-stream"));
  var status = document.getElementById("feed-status");
  source.onopen = function () {
    list.setAttribute("data-connected", "true");
    if (status) { status.textContent = list.getAttribute("data-live"); }
  };
  source.onmessage = function (message) {
    var event;
    try { event = JSON.parse(message.data); } catch (e) { return; }
    if (list.querySelector('[data-event="' + event.id + '"]')) { return; }
    var empty = list.querySelector(".empty");
    if (empty) { empty.remove(); }
    var item = document.createElement("li");
    item.setAttribute("data-event", String(event.id));
    item.className = "fresh";
    var time = document.createElement("time");
    time.setAttribute("datetime", event.at);
    time.textContent = String(event.at).replace("T", " ").slice(0, 19);
    var kind = document.createElement("strong");
    kind.textContent = labels[event.kind] || event.kind;
    var link = document.createElement("a");
    link.href = "/cases/" + encodeURIComponent(event.case_id) + (purpose ? "?purpose=" + encodeURIComponent(purpose) : "");
    link.textContent = (event.case && event.case.case_number) ? event.case.case_number : "#" + event.case_id;
    var who = document.createElement("span");
    who.className = "muted";
    who.textContent = " — " + event.organisation;
    item.append(time, " ", kind, " ", link, " ", who);
    list.insertBefore(item, list.firstChild);
  };
})();
