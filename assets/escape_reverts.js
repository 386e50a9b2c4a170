// A field that saves itself when it is left (a project's name in its row) has no Cancel
// button: Escape is its undo. In a field marked data-escape-reverts, Escape puts back the
// value it was drawn with (the saved one) and leaves the field; the blur then finds nothing
// changed, so nothing is saved and any refusal shown beside it is forgotten.
(function () {
  if (window.__escapeReverts) return;
  window.__escapeReverts = true;
  document.addEventListener(
    "keydown",
    function (event) {
      var field = event.target;
      if (event.key !== "Escape" || !field || !field.closest || !field.closest("[data-escape-reverts]")) return;
      if (!("defaultValue" in field)) return;
      // React tracks an input's value; set it through the prototype so React sees the change.
      var setter = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(field), "value").set;
      setter.call(field, field.defaultValue);
      field.dispatchEvent(new Event("input", { bubbles: true }));
      event.preventDefault();
      field.blur();
    },
    true
  );
})();
