// A button that turns into its opposite when its click is answered (Archive client / Restore
// client) is drawn again under the pointer within a double click's time: the double click's
// second click would then undo the first. Buttons marked data-toggle ignore the second (and
// any later) click of a double or triple click, which the browser counts in event.detail.
// Separate clicks (detail 1) and keyboard presses (detail 0) go through. The listener runs in
// the capture phase on the document, before React's listeners on its root see the click.
(function () {
  if (window.__toggleGuard) return;
  window.__toggleGuard = true;
  document.addEventListener(
    "click",
    function (event) {
      var target = event.target;
      if (event.detail > 1 && target && target.closest && target.closest("[data-toggle]")) {
        event.stopPropagation();
        event.preventDefault();
      }
    },
    true
  );
})();
