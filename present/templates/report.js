
(function () {
  function plotOf(button) { return document.getElementById(button.getAttribute("data-plot")); }
  document.querySelectorAll("button[data-format]").forEach(function (button) {
    button.addEventListener("click", function () {
      var gd = plotOf(button);
      if (!gd || !window.Plotly) { return; }
      var size = gd._fullLayout || {};
      Plotly.downloadImage(gd, {
        format: button.getAttribute("data-format"),
        filename: button.getAttribute("data-filename"),
        width: size.width || 960,
        height: size.height || 440
      });
    });
  });
  function resizeAll() {
    if (!window.Plotly) { return; }
    document.querySelectorAll(".plotly-graph-div").forEach(function (gd) { Plotly.Plots.resize(gd); });
  }
  window.addEventListener("beforeprint", resizeAll);
  window.addEventListener("afterprint", resizeAll);
})();
