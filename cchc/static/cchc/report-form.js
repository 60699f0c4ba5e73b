/* The unit report form, for long work: autosave of the draft and a confirmation before sending.
 *
 * The form works without this file (the save bar's buttons post it). With it, a change is saved in
 * the background a few seconds after the typing stops: the form is posted as it is, with the version
 * it was read at, and the version the server answers becomes the one the next save sends. If someone
 * else saved in between, the server answers 409: nothing is overwritten, autosave stops and says so
 * plainly, and what the user typed stays on the screen to be copied.
 */
(function () {
  "use strict";

  var form = document.querySelector("form[data-autosave]");
  if (!form || !window.fetch || !window.FormData) {
    return;
  }
  var DELAY_MS = Number(form.getAttribute("data-autosave-delay")) || 3000;
  var state = document.getElementById("save-state");
  var bar = document.getElementById("save-bar");
  var versionInput = form.querySelector("input[name=version]");
  var timer = null;
  var saving = false;
  var dirty = false;
  var again = false;
  var stopped = false;
  var submitting = false;
  var waitingSubmit = null;

  function show(text, kind) {
    if (!state) {
      return;
    }
    state.textContent = text;
    state.className = "save-state" + (kind ? " " + kind : "");
    if (bar) {
      bar.classList.toggle("conflict", kind === "conflict");
    }
    state.setAttribute("role", kind === "conflict" || kind === "error" ? "alert" : "status");
  }

  function schedule() {
    if (stopped) {
      return;
    }
    dirty = true;
    show("Có thay đổi chưa lưu…", "pending");
    window.clearTimeout(timer);
    timer = window.setTimeout(save, DELAY_MS);
  }

  function save() {
    if (stopped || submitting || !dirty) {
      return;
    }
    if (saving) {
      again = true;
      return;
    }
    saving = true;
    dirty = false;
    show("Đang tự lưu…", "pending");
    var body = new FormData(form);
    body.delete("then");
    window
      .fetch(form.action, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { Accept: "application/json", "X-Autosave": "1" },
      })
      .then(function (response) {
        return response
          .json()
          .catch(function () {
            return {};
          })
          .then(function (data) {
            return { status: response.status, data: data };
          });
      })
      .then(function (result) {
        if (result.status === 200 && result.data.version) {
          versionInput.value = String(result.data.version);
          form.setAttribute("data-saved-version", String(result.data.version));
          show("Đã tự lưu bản nháp lúc " + result.data.saved_at + ".", "saved");
        } else if (result.status === 409) {
          stopped = true;
          dirty = true;
          show(
            (result.data.error || "Báo cáo vừa được người khác cập nhật.") +
              " Tự lưu đã dừng; hãy sao chép phần bạn đang viết rồi tải lại trang.",
            "conflict"
          );
        } else if (result.status === 400) {
          dirty = true;
          show("Chưa lưu được: " + (result.data.error || "dữ liệu chưa hợp lệ.") + " Hãy sửa rồi lưu lại.", "error");
        } else {
          dirty = true;
          show("Chưa tự lưu được (mã " + result.status + "). Hãy bấm «Lưu bản nháp».", "error");
        }
      })
      .catch(function () {
        dirty = true;
        show("Chưa tự lưu được: mất kết nối. Sẽ thử lại khi bạn sửa tiếp, hoặc bấm «Lưu bản nháp».", "error");
      })
      .then(function () {
        saving = false;
        if (waitingSubmit) {
          // The user pressed a button while a background save was on its way: send the form now,
          // with the version that save brought back.
          var button = waitingSubmit;
          waitingSubmit = null;
          submitting = true;
          form.requestSubmit(button);
          return;
        }
        if (again && !stopped) {
          again = false;
          dirty = true;
          save();
        }
      });
  }

  // A status that says "finished" or "not started" carries its progress: the same rule the server
  // applies (100% or 0%), set here so the user does not have to type it and then be refused.
  function followStatus(select) {
    var match = /^task_(\d+)_status$/.exec(select.name);
    if (!match) {
      return;
    }
    var progress = form.querySelector("input[name=task_" + match[1] + "_progress]");
    if (!progress) {
      return;
    }
    if (select.value === "done" || select.value === "done_late") {
      progress.value = "100";
    } else if (select.value === "not_started") {
      progress.value = "0";
    }
  }

  form.addEventListener("input", schedule);
  form.addEventListener("change", function (event) {
    if (event.target.tagName === "SELECT") {
      followStatus(event.target);
    }
    schedule();
  });
  form.addEventListener("submit", function (event) {
    var button = event.submitter;
    if (submitting) {
      return;
    }
    var question = button && button.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      return;
    }
    // Asked here already: cchc.js's page-wide confirmation must not ask a second time.
    event.cchcConfirmed = true;
    window.clearTimeout(timer);
    if (saving) {
      event.preventDefault();
      waitingSubmit = button || form.querySelector("button[type=submit]");
      return;
    }
    submitting = true;
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden" && dirty) {
      save();
    }
  });
  window.addEventListener("beforeunload", function (event) {
    if (dirty && !submitting) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
})();
