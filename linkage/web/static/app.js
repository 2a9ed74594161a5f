// Progressive enhancement only: every page works without this file.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  // Typing a corrected value or picking a record's value selects the matching decision.
  document.querySelectorAll("form.decide").forEach(function (form) {
    form.querySelectorAll("select[name=choice], input[name=value]").forEach(function (el) {
      var kind = el.name === "choice" ? "choose" : "correct";
      var pick = function () {
        var radio = form.querySelector("input[name=kind][value=" + kind + "]");
        if (radio) { radio.checked = true; }
      };
      el.addEventListener("change", pick);
      el.addEventListener("input", pick);
    });
    // One submission per click: no double decision from an impatient double click.
    form.addEventListener("submit", function () {
      form.querySelectorAll("button[type=submit]").forEach(function (b) {
        window.setTimeout(function () { b.disabled = true; }, 0);
      });
    });
  });
  var alert = document.querySelector(".flash.error[role=alert]");
  if (alert && alert.id) {
    var box = alert.closest("article");
    var field = box ? box.querySelector("textarea, input:not([type=hidden])") : null;
    if (field) { field.focus(); }
  }
});
