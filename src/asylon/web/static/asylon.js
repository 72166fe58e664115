/* Small enhancements; every page works without this file. */
(function () {
  "use strict";
  // Take keyboard and screen-reader users straight to what went wrong.
  var alertBox = document.querySelector(".error-summary[tabindex], .refusal[tabindex]");
  if (alertBox) { alertBox.focus(); }
  // Say what is wrong with a field as soon as the person leaves it, using the field's own rules.
  document.addEventListener("focusout", function (event) {
    var input = event.target;
    if (!(input instanceof HTMLInputElement) || !input.willValidate || input.value === "") { return; }
    var id = input.id + "-live";
    var note = document.getElementById(id);
    if (input.checkValidity()) {
      if (note) { note.remove(); input.removeAttribute("aria-invalid"); }
      return;
    }
    if (!note) {
      note = document.createElement("p");
      note.className = "error-message";
      note.id = id;
      note.setAttribute("aria-live", "polite");
      input.insertAdjacentElement("beforebegin", note);
    }
    var hint = document.getElementById(input.id + "-hint");
    note.textContent = input.validationMessage + (hint ? " — " + hint.textContent : "");
    input.setAttribute("aria-invalid", "true");
  });
})();
