// The reports page: "复制网页内容" copies the version's web page (the frame's <main>, its inline styles kept) as
// HTML and as plain text, for pasting into a school site's editor. A file: the Content-Security-Policy allows no
// inline script. The copy goes through a "copy" event, which works without the asynchronous clipboard API (a desk
// served over plain HTTP on a campus address is not a secure context).
(function () {
  "use strict";
  var button = document.getElementById("copy-web");
  if (!button) { return; }
  button.addEventListener("click", function () {
    var frame = document.getElementById("web-frame");
    var main = frame && frame.contentDocument && frame.contentDocument.querySelector("main");
    if (!main) { button.textContent = "网页版尚未载入，请稍后再试"; return; }
    var style = (main.getAttribute("style") || "").replace(/"/g, "&quot;");
    var html = '<div style="' + style + '">' + main.innerHTML + "</div>", text = main.innerText;
    function put(event) {
      event.clipboardData.setData("text/html", html);
      event.clipboardData.setData("text/plain", text);
      event.preventDefault();
    }
    document.addEventListener("copy", put);
    var done = document.execCommand("copy");
    document.removeEventListener("copy", put);
    button.textContent = done ? "已复制：请粘贴到网站编辑器中" : "未能复制：请在下载的网页版中全选后复制";
  });
})();
