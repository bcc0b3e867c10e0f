// The desk's only script (served as a file: the Content-Security-Policy allows no inline script).
// A department's page: the chosen file's name, a dropped file sent at once, the button while it is sent.
// The board: finding a department by a part of its name, the reminders' copy buttons.
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

  function find(box) {
    box.addEventListener("input", function () {
      var wanted = box.value.trim();
      document.querySelectorAll("#board tbody tr[data-department]").forEach(function (row) {
        row.hidden = wanted !== "" && row.dataset.department.indexOf(wanted) < 0;
      });
      var none = document.querySelectorAll("#board tbody tr[data-department]:not([hidden])").length === 0;
      var said = document.getElementById("found-none");
      said.hidden = !(none && wanted !== "");
      said.textContent = "没有名称含“" + wanted + "”的部门。";
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
})();
