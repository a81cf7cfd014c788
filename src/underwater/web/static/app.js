/* underwater's own script, and the only one: pages work without it. It adds "add one more" and
   "remove" buttons to repeatable inputs, a print button, and opens every folded section before
   printing so the paper shows all of it. No inline scripts anywhere: the Content-Security-Policy
   is default-src 'self'. */
(function () {
  "use strict";

  document.documentElement.classList.add("js");

  function renumber(fieldset) {
    var items = fieldset.querySelectorAll(".repeat-item");
    var base = "f-" + fieldset.getAttribute("data-repeat");
    var legend = fieldset.querySelector("legend");
    var name = legend ? legend.firstChild.textContent.trim() : "";
    items.forEach(function (item, i) {
      var input = item.querySelector("input");
      var label = item.querySelector("label");
      var remove = item.querySelector("button.remove-item");
      input.id = i === 0 ? base : base + "-" + (i + 1);
      label.setAttribute("for", input.id);
      label.textContent = name + ", number " + (i + 1);
      if (remove) {
        remove.hidden = items.length < 2;
        remove.setAttribute("aria-label", "Remove " + name.toLowerCase() + " number " + (i + 1));
      }
    });
  }

  function addAnother(button) {
    var fieldset = button.closest("fieldset.repeat");
    var items = fieldset.querySelectorAll(".repeat-item");
    var copy = items[items.length - 1].cloneNode(true);
    var input = copy.querySelector("input");
    input.value = "";
    input.removeAttribute("aria-invalid");
    input.removeAttribute("required");
    input.removeAttribute("aria-required");
    fieldset.insertBefore(copy, button);
    renumber(fieldset);
    input.focus();
  }

  function remove(button) {
    var fieldset = button.closest("fieldset.repeat");
    var item = button.closest(".repeat-item");
    if (fieldset.querySelectorAll(".repeat-item").length < 2) {
      return;
    }
    item.remove();
    renumber(fieldset);
    var first = fieldset.querySelector("input");
    if (first) {
      first.focus();
    }
  }

  document.querySelectorAll("button.add-another, button.print-button").forEach(function (b) {
    b.hidden = false;
  });
  document.querySelectorAll("fieldset.repeat").forEach(renumber);

  document.addEventListener("click", function (event) {
    var target = event.target;
    var add = target.closest("button.add-another");
    var drop = target.closest("button.remove-item");
    var print = target.closest("button.print-button");
    if (add) {
      addAnother(add);
    } else if (drop) {
      remove(drop);
    } else if (print) {
      window.print();
    }
  });

  // Leave empty inputs, and choices left at their default, out of the URL a form sends, so the
  // link a person shares holds only what was typed or changed.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.method.toLowerCase() !== "get") {
      return;
    }
    form.querySelectorAll("input, select").forEach(function (box) {
      if (box.name && box.type !== "hidden" && box.type !== "checkbox" && String(box.value).trim() === "") {
        box.disabled = true;
      }
      if (box.tagName === "SELECT" && box.dataset.default !== undefined && box.value === box.dataset.default) {
        box.disabled = true;
      }
    });
  });

  // Paper shows everything: every folded section opens for printing, and closes again after.
  var opened = [];
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details:not([open])").forEach(function (d) {
      d.open = true;
      opened.push(d);
    });
  });
  window.addEventListener("afterprint", function () {
    opened.forEach(function (d) { d.open = false; });
    opened = [];
  });
})();
