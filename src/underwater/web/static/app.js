/* underwater's own script: "add another" boxes for repeatable inputs, short shareable URLs,
   and the projection chart. No inline scripts anywhere: the Content-Security-Policy is
   default-src 'self'. The chart's figures come from the canvas's data-projection attribute
   (the result's JSON), so nothing is ever evaluated. */
(function () {
  "use strict";

  document.documentElement.classList.add("js");

  // A repeatable input (several liens) gets one more empty box; without JavaScript the page
  // always shows one spare box, so plain GET forms still work.
  function addAnother(button) {
    var fieldset = button.closest("fieldset.repeat");
    var items = fieldset.querySelectorAll(".repeat-item");
    var last = items[items.length - 1];
    var copy = last.cloneNode(true);
    var n = items.length + 1;
    var input = copy.querySelector("input");
    var label = copy.querySelector("label");
    var base = "f-" + fieldset.getAttribute("data-repeat");
    input.id = base + "-" + n;
    input.value = "";
    input.removeAttribute("aria-invalid");
    input.removeAttribute("required");
    input.removeAttribute("aria-required");
    label.setAttribute("for", input.id);
    label.textContent = label.textContent.replace(/\d+$/, String(n));
    fieldset.insertBefore(copy, button);
    input.focus();
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("button.add-another");
    if (button) {
      addAnother(button);
    }
  });

  // Leave empty inputs out of the request, so the URL pushed to the address bar (the one a
  // person shares) holds only what was typed.
  document.addEventListener("htmx:configRequest", function (event) {
    var data = event.detail.formData;
    if (!data || event.detail.verb !== "get") {
      return;
    }
    var keys = [];
    data.forEach(function (_value, key) {
      if (keys.indexOf(key) < 0) {
        keys.push(key);
      }
    });
    keys.forEach(function (key) {
      var kept = data.getAll(key).filter(function (v) { return String(v).trim() !== ""; });
      data.delete(key);
      kept.forEach(function (v) { data.append(key, v); });
    });
  });

  function money(value) {
    return "$" + Number(value).toLocaleString("en-US", { maximumFractionDigits: 0 });
  }

  // Balance against value, month by month. The fill between the two lines is coloured only
  // where the balance is above the value: the under-water stretch.
  function drawProjection(canvas) {
    var data = JSON.parse(canvas.getAttribute("data-projection") || "{}");
    var months = data.months || [];
    var labels = months.map(function (m) { return m.date || "Month " + m.month; });
    // "owed" is every lien on the asset (the loan's balance plus any others); a projection
    // without other liens may give only "balance".
    var balance = months.map(function (m) { return Number(m.owed !== undefined ? m.owed : m.balance); });
    var value = months.map(function (m) { return Number(m.value); });
    var at = -1;
    if (data.crossover_month !== null && data.crossover_month !== undefined) {
      at = months.findIndex(function (m) { return m.month === data.crossover_month; });
    }
    var crossover = months.map(function (_m, i) { return i === at ? balance[i] : null; });
    new window.Chart(canvas, {
      type: "line",
      data: {
        labels: labels,
        datasets: [
          {
            label: "Owed",
            data: balance,
            borderColor: "#b3261e",
            backgroundColor: "rgba(179, 38, 30, 0.18)",
            fill: { target: 1, above: "rgba(179, 38, 30, 0.18)", below: "rgba(0, 0, 0, 0)" },
            pointRadius: 0,
            borderWidth: 2
          },
          {
            label: "Value",
            data: value,
            borderColor: "#1d5fa8",
            backgroundColor: "#1d5fa8",
            fill: false,
            pointRadius: 0,
            borderWidth: 2
          },
          {
            label: "Crossover",
            data: crossover,
            showLine: false,
            pointStyle: "rectRot",
            pointRadius: 8,
            pointHoverRadius: 9,
            borderColor: "#222222",
            backgroundColor: "#f2c200"
          }
        ]
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: "index", intersect: false },
        scales: {
          x: { ticks: { maxTicksLimit: 8, autoSkip: true } },
          y: { ticks: { callback: function (v) { return money(v); } } }
        },
        plugins: {
          legend: { position: "bottom" },
          tooltip: {
            filter: function (item) { return item.raw !== null; },
            callbacks: {
              label: function (ctx) { return ctx.dataset.label + ": " + money(ctx.raw); }
            }
          }
        }
      }
    });
  }

  function init(root) {
    root.querySelectorAll("button.add-another[hidden]").forEach(function (b) { b.hidden = false; });
    if (window.Chart) {
      root.querySelectorAll("canvas[data-chart='projection']").forEach(function (canvas) {
        if (!window.Chart.getChart(canvas)) {
          drawProjection(canvas);
          canvas.setAttribute("data-drawn", "true");
        }
      });
    }
  }

  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:afterSettle", function () { init(document); });
  document.addEventListener("htmx:historyRestore", function () { init(document); });
})();
