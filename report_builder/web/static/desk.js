// The desk's only script (served as a file: the Content-Security-Policy allows no inline script).
// A department's page: the chosen file's name, a dropped file sent at once, the button while it is sent.
// The board: finding a department by a part of its name, the reminders' copy buttons, and keeping itself current:
// it asks /office/live for the state's version every 10 s and, when it changed, swaps in the page's new #live.
(function () {
  "use strict";

  function upload(form) {
    var input = document.getElementById("file"), drop = document.getElementById("drop");
    var chosen = document.getElementById("chosen"), send = document.getElementById("send");
    function show() { chosen.textContent = input.files.length ? "已选择：" + input.files[0].name : chosen.textContent; }
    input.addEventListener("change", show);
    form.addEventListener("submit", function () {
      send.disabled = true;
      send.textContent = "正在上传并检查…";
    });
    ["dragenter", "dragover"].forEach(function (name) {
      drop.addEventListener(name, function (event) { event.preventDefault(); drop.classList.add("over"); });
    });
    drop.addEventListener("dragleave", function () { drop.classList.remove("over"); });
    drop.addEventListener("drop", function (event) {
      event.preventDefault();
      drop.classList.remove("over");
      var files = event.dataTransfer.files;
      if (files.length !== 1) { chosen.textContent = "一次只能上传一个文件，请只拖入本部门的填报表。"; return; }
      input.files = files;
      show();
      form.requestSubmit();
    });
  }

  function filter(box) {
    var wanted = box.value.trim();
    document.querySelectorAll("#board tbody tr[data-department]").forEach(function (row) {
      row.hidden = wanted !== "" && row.dataset.department.indexOf(wanted) < 0;
    });
    var none = document.querySelectorAll("#board tbody tr[data-department]:not([hidden])").length === 0;
    var said = document.getElementById("found-none");
    said.hidden = !(none && wanted !== "");
    said.textContent = "没有名称含“" + wanted + "”的部门。";
  }

  function find(box) {
    box.addEventListener("input", function () { filter(box); });
  }

  function live(part) {
    var busy = false;
    function swap(html) {
      var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("live");
      if (!fresh) { return; }
      var box = document.getElementById("find"), typed = box ? box.value : "", focused = document.activeElement === box;
      part.replaceWith(fresh);
      part = fresh;
      var again = document.getElementById("find");
      if (again) { again.value = typed; find(again); filter(again); if (focused) { again.focus(); } }
    }
    function poll() {
      if (busy || document.hidden) { return; }
      busy = true;
      fetch("/office/live", {credentials: "same-origin", cache: "no-store"}).then(function (answer) {
        return answer.ok ? answer.json() : null;
      }).then(function (state) {
        if (!state || state.version === part.dataset.version) { return null; }
        return fetch(location.pathname + location.search, {credentials: "same-origin", cache: "no-store"})
          .then(function (answer) { return answer.ok ? answer.text() : ""; }).then(swap);
      }).catch(function () { return null; }).then(function () { busy = false; });
    }
    setInterval(poll, Number(part.dataset.every || 10000));
    document.addEventListener("visibilitychange", poll);
  }

  function copyText(button) {
    button.addEventListener("click", function () {
      var text = button.dataset.copy;
      (navigator.clipboard ? navigator.clipboard.writeText(text) : Promise.reject()).then(
        function () { button.textContent = "已复制"; }, function () { button.textContent = "请手动复制"; });
    });
  }

  function preparing(link) {
    link.addEventListener("click", function () {
      var note = document.getElementById("template-note");
      if (note) { note.innerHTML = ""; var s = document.createElement("span"); s.className = "spinner"; note.appendChild(s);
        note.appendChild(document.createTextNode("正在准备本部门的空白填报表，下载马上开始…"));
        setTimeout(function () { note.textContent = "如果没有开始下载，请再点一次。"; }, 8000); }
    });
  }

  function copy(button) {
    button.addEventListener("click", function () {
      var text = button.previousElementSibling;
      text.select();
      (navigator.clipboard ? navigator.clipboard.writeText(text.value) : Promise.reject()).then(
        function () { button.textContent = "已复制"; },
        function () { document.execCommand("copy"); button.textContent = "已复制"; });
    });
  }

  var form = document.getElementById("upload");
  if (form) { upload(form); }
  var box = document.getElementById("find");
  if (box) { find(box); }
  document.querySelectorAll("button.copy").forEach(copy);
  document.querySelectorAll("button.copy-text").forEach(copyText);
  var part = document.getElementById("live");
  if (part && part.dataset.version) { live(part); }
  var link = document.getElementById("template");
  if (link) { preparing(link); }
})();
