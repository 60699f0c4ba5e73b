// Small behaviours that used to be inline handlers; the Content-Security-Policy allows only scripts
// served from our static files. Every page works without this file: it only asks before destructive
// submits and shows that a long upload is being processed.
(function () {
  "use strict";

  // <form data-confirm="…"> or <button data-confirm="…">: ask before submitting.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var submitter = event.submitter;
    var question = (submitter && submitter.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
    if (question && !event.cchcConfirmed && !window.confirm(question)) {
      event.preventDefault();
      return;
    }
    // <form data-busy-text="…">: the submit button says what is happening and cannot be pressed twice.
    var busy = form.getAttribute("data-busy-text");
    if (busy) {
      var button = submitter || form.querySelector("button[type=submit]");
      if (button) {
        // After the event, so the button's own name/value still goes with the form.
        window.setTimeout(function () {
          button.disabled = true;
          button.textContent = busy;
        }, 0);
      }
    }
  });
})();
