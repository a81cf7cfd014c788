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

  document.querySelectorAll("button.add-another, button.print-button, .file-pick").forEach(function (b) {
    b.hidden = false;
  });

  // A file picked beside a box of lines is read here, in the browser, into the box: nothing is
  // sent until the form is. A file over the box's limit is refused with a note, not cut.
  document.addEventListener("change", function (event) {
    var picker = event.target.closest(".file-pick input[type=file]");
    if (!picker || !picker.files || !picker.files.length) {
      return;
    }
    var holder = picker.closest(".file-pick");
    var box = document.getElementById(holder.dataset.fill);
    var note = holder.querySelector(".file-note");
    var limit = parseInt(holder.dataset.limit, 10);
    var file = picker.files[0];
    if (file.size > 4 * limit) {
      note.textContent = file.name + " is " + file.size.toLocaleString() + " bytes: too large for this box.";
      return;
    }
    var reader = new FileReader();
    reader.onload = function () {
      var text = String(reader.result).replace(/^\uFEFF/, "");
      if (text.length > limit) {
        note.textContent = file.name + " has " + text.length.toLocaleString() + " characters: at most " +
          limit.toLocaleString() + " fit. Paste the rows you need instead.";
        return;
      }
      box.value = text;
      note.textContent = "Read " + file.name + " into the box: check it, then work it out.";
    };
    reader.onerror = function () {
      note.textContent = file.name + " could not be read.";
    };
    reader.readAsText(file);
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
    form.querySelectorAll("input, select, textarea").forEach(function (box) {
      if (box.name && box.type !== "hidden" && box.type !== "checkbox" && String(box.value).trim() === "") {
        box.disabled = true;
      }
      if (box.tagName === "SELECT" && box.dataset.default !== undefined && box.value === box.dataset.default) {
        box.disabled = true;
      }
    });
  });

  // The lender's page: the book is summed up without leaving the page, so the file stays chosen
  // for the download buttons (which send the same form to the CSV endpoint and are left alone).
  var book = document.getElementById("portfolio-form");
  // Each field's error, beside it, as the server's answer marks it (the inputs themselves stay,
  // so the file and what was typed are kept): its message, its red border, what it describes.
  function markFields(doc) {
    book.querySelectorAll(".field[id], fieldset.section[id]").forEach(function (field) {
      var twin = doc.getElementById(field.id);
      if (!twin) {
        return;
      }
      field.classList.toggle("has-error", twin.classList.contains("has-error"));
      field.querySelectorAll(":scope > .field-error").forEach(function (old) { old.remove(); });
      twin.querySelectorAll(":scope > .field-error").forEach(function (message) {
        var box = field.querySelector(":scope > .box, :scope > ul");
        field.insertBefore(document.importNode(message, true), box ? box.nextSibling : null);
      });
      ["aria-invalid", "aria-describedby"].forEach(function (name) {
        var input = field.id.indexOf("w-") === 0 ? field.querySelector("input") : field;
        var source = field.id.indexOf("w-") === 0 ? twin.querySelector("input") : twin;
        if (!input || !source) {
          return;
        }
        if (source.hasAttribute(name)) {
          input.setAttribute(name, source.getAttribute(name));
        } else {
          input.removeAttribute(name);
        }
      });
    });
  }
  if (book && window.fetch && window.FormData && window.DOMParser) {
    book.addEventListener("submit", function (event) {
      var via = event.submitter;
      var answer = document.getElementById("portfolio-answer");
      var picked = document.getElementById("f-file");
      var file = picked.files && picked.files[0];
      var limit = parseInt(picked.dataset.limit, 10);
      if (file && file.size > limit) {
        // Refused here, before 50 MB travel only to be refused by the server.
        event.preventDefault();
        answer.innerHTML = '<div class="error-summary" role="alert"><h2 id="answer-title">The book could not be run</h2>' +
          '<p><a href="#f-file">The file</a> is ' + file.size.toLocaleString() + ' bytes: at most ' +
          limit.toLocaleString() + ' bytes (50 MB) are taken here. Run a larger book on the command line ' +
          '(underwater portfolio) or on a Dask cluster.</p></div>';
        answer.focus();
        return;
      }
      if (via && via.id !== "submit-portfolio") {
        return;
      }
      event.preventDefault();
      var button = document.getElementById("submit-portfolio");
      button.disabled = true;
      answer.setAttribute("aria-busy", "true");
      answer.innerHTML = '<h2 id="answer-title">Running the book…</h2><p class="hint">A large book takes a few seconds.</p>';
      fetch(book.action, {method: "POST", body: new FormData(book), credentials: "same-origin"})
        .then(function (response) { return response.text(); })
        .then(function (html) {
          var doc = new DOMParser().parseFromString(html, "text/html");
          var fresh = doc.getElementById("portfolio-answer");
          answer.innerHTML = fresh ? fresh.innerHTML : "<h2 id=\"answer-title\">The server did not answer with a summary.</h2>";
          markFields(doc);
        })
        .catch(function () {
          answer.innerHTML = '<h2 id="answer-title">The book could not be sent</h2><p>Check the server is running, then try again.</p>';
        })
        .then(function () {
          button.disabled = false;
          answer.removeAttribute("aria-busy");
          answer.focus();
        });
    });
  }

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
