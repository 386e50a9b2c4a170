// Asks before leaving the invoice editor with unsaved changes: in-app links (the navigation,
// "Cancel", Sign out) get a confirm(), closing or reloading the tab the browser's own prompt.
// The editor marks its form with data-unsaved-changes="true|false" from EditorState.unsaved;
// typing counts at once, before its debounced update reaches the server.
(function () {
  if (window.__unsavedGuard) return;
  window.__unsavedGuard = true;
  var MESSAGE = "You have unsaved changes on this invoice. Leave without saving?";
  var lastTyped = 0;

  function form() {
    return document.querySelector("[data-unsaved-changes]");
  }
  function unsaved() {
    var el = form();
    if (!el) return false;
    return el.getAttribute("data-unsaved-changes") === "true" || Date.now() - lastTyped < 1500;
  }

  document.addEventListener("input", function (event) {
    var el = form();
    if (el && el.contains(event.target)) lastTyped = Date.now();
  }, true);

  window.addEventListener("beforeunload", function (event) {
    if (unsaved()) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  // Capture phase on window: before React Router's own click handler on the link.
  window.addEventListener("click", function (event) {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    var target = event.target instanceof Element ? event.target : null;
    var leaving = target && target.closest("a[href], [data-leaves-page]");
    if (!leaving || leaving.getAttribute("target") === "_blank" || leaving.hasAttribute("download")) return;
    if (!unsaved()) return;
    if (!window.confirm(MESSAGE)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    } else {
      lastTyped = 0;
    }
  }, true);
})();
