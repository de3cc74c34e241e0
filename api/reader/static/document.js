/* The reading view's few behaviours. Without this file the page still works: a note
   marker links to the note at the end, names are plain links, the citations can be
   selected by hand. With it: notes open in place, names can be highlighted, citations
   copied with one button. */
(function () {
  "use strict";

  var article = document.getElementById("document");
  if (!article) return;

  /* -- notes in place ------------------------------------------------------------ */

  var open = null; // {marker, popover}

  function closeNote(returnFocus) {
    if (!open) return;
    var marker = open.marker;
    open.popover.remove();
    marker.setAttribute("aria-expanded", "false");
    open = null;
    if (returnFocus) marker.focus();
  }

  function openNote(marker) {
    var ref = marker.getAttribute("data-note");
    var item = document.getElementById(ref);
    if (!item) return false;
    var text = item.querySelector(".note-text");
    var printed = marker.getAttribute("data-marker") || marker.textContent;
    var popover = document.createElement("div");
    popover.className = "note-popover";
    popover.id = "popover-" + ref;
    popover.setAttribute("role", "dialog");
    popover.setAttribute("aria-label", "Note " + printed);
    popover.tabIndex = -1;
    var number = document.createElement("span");
    number.className = "note-marker";
    number.textContent = printed;
    popover.appendChild(number);
    if (text) popover.appendChild(text.cloneNode(true));
    var close = document.createElement("button");
    close.type = "button";
    close.className = "note-close";
    close.setAttribute("aria-label", "Close note " + printed);
    close.textContent = "×";
    close.addEventListener("click", function () { closeNote(true); });
    popover.appendChild(close);
    popover.addEventListener("keydown", function (event) {
      if (event.key === "Escape") {
        event.preventDefault();
        closeNote(true);
      }
    });
    var sup = marker.parentNode;
    sup.parentNode.insertBefore(popover, sup.nextSibling);
    marker.setAttribute("aria-expanded", "true");
    marker.setAttribute("aria-controls", popover.id);
    open = { marker: marker, popover: popover };
    popover.focus();
    return true;
  }

  function toggleNote(marker) {
    var same = open && open.marker === marker;
    closeNote(false);
    if (same) {
      marker.focus();
      return true;
    }
    return openNote(marker);
  }

  var markers = article.querySelectorAll(".note-ref a[data-note]");
  Array.prototype.forEach.call(markers, function (marker) {
    marker.setAttribute("aria-expanded", "false");
    marker.addEventListener("click", function (event) {
      if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
      if (toggleNote(marker)) event.preventDefault();
    });
    marker.addEventListener("keydown", function (event) {
      if (event.key === " " || event.key === "Spacebar") {
        event.preventDefault();
        toggleNote(marker);
      } else if (event.key === "Escape" && open && open.marker === marker) {
        event.preventDefault();
        closeNote(true);
      }
    });
  });

  document.addEventListener("click", function (event) {
    if (!open) return;
    var target = event.target;
    if (open.popover.contains(target) || open.marker.contains(target)) return;
    closeNote(false);
  });

  /* -- names highlighted on demand -------------------------------------------------- */

  var toggle = document.getElementById("toggle-mentions");
  var KEY = "quellen.mentions";
  function showMentions(on) {
    article.classList.toggle("show-mentions", on);
    toggle.setAttribute("aria-pressed", on ? "true" : "false");
    try { window.localStorage.setItem(KEY, on ? "1" : "0"); } catch (e) { /* private mode */ }
  }
  if (toggle) {
    toggle.hidden = false;
    var stored = null;
    try { stored = window.localStorage.getItem(KEY); } catch (e) { /* private mode */ }
    if (stored === "1") showMentions(true);
    toggle.addEventListener("click", function () {
      showMentions(toggle.getAttribute("aria-pressed") !== "true");
    });
  }

  /* -- copying a citation ----------------------------------------------------------- */

  var status = article.querySelector(".copy-status");
  function say(message) {
    if (!status) return;
    status.textContent = "";
    window.setTimeout(function () { status.textContent = message; }, 50);
  }
  if (navigator.clipboard && window.isSecureContext) {
    Array.prototype.forEach.call(article.querySelectorAll("button.copy[data-copy]"), function (button) {
      var source = document.getElementById(button.getAttribute("data-copy"));
      if (!source) return;
      button.hidden = false;
      button.addEventListener("click", function () {
        var label = button.textContent.replace(/^Copy\s*/, "");
        navigator.clipboard.writeText(source.textContent.trim()).then(
          function () { say("Copied " + label + "."); },
          function () { say("Could not copy; select the text instead."); }
        );
      });
    });
  }
})();
