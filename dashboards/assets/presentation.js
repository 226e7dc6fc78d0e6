// Workshop mode: the arrow keys and PageUp/PageDown walk the presentation order. The keys follow
// the links of the presentation bar (#presentation-next, #presentation-previous), so the app's
// own navigation does the rest; keys meant for a field, a slider or a dropdown are left alone.
(function () {
  var KEYS = {
    ArrowRight: "presentation-next",
    PageDown: "presentation-next",
    ArrowLeft: "presentation-previous",
    PageUp: "presentation-previous"
  };
  function typing(target) {
    if (!target || !target.tagName) return false;
    if (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)) return true;
    var role = target.getAttribute("role");
    return role === "slider" || role === "combobox" || role === "listbox";
  }
  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
    var id = KEYS[event.key];
    if (!id || typing(event.target)) return;
    var link = document.getElementById(id);
    if (!link) return;
    event.preventDefault();
    link.click();
  });
})();
