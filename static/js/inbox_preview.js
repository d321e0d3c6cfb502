/*
 * A chat inbox's settings page: the widget preview follows the form as the admin types
 * (colour, position, launcher text, greeting, reply time, the inbox name), the contrast
 * of white text on the colour is checked against WCAG AA (4.5:1), a colour picker sits
 * beside the colour field, and the embed code has a Copy button.
 */
(function () {
  "use strict";

  var HEX = /^#[0-9a-fA-F]{6}$/;

  function luminance(hex) {
    var channels = [1, 3, 5].map(function (i) {
      var c = parseInt(hex.slice(i, i + 2), 16) / 255;
      return c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2];
  }

  // White on `hex`, rounded down to 2 decimals like consoles/contrast.py.
  function whiteContrast(hex) {
    return Math.floor(((1 + 0.05) / (luminance(hex) + 0.05)) * 100) / 100;
  }

  function showContrast(box, value) {
    var aa = parseFloat(box.getAttribute("data-aa"));
    var state = "invalid";
    var ratio = null;
    if (HEX.test(value)) {
      ratio = whiteContrast(value);
      state = ratio < aa ? "fails" : "passes";
    }
    box.querySelectorAll("[data-contrast]").forEach(function (line) {
      line.hidden = line.getAttribute("data-contrast") !== state;
    });
    if (ratio === null) return;
    box.querySelectorAll("[data-contrast-ratio]").forEach(function (el) {
      el.textContent = ratio.toFixed(2);
    });
    box.querySelectorAll("[data-contrast-color]").forEach(function (el) {
      el.textContent = value.toLowerCase();
    });
  }

  function addPicker(input, onChange) {
    var picker = document.createElement("input");
    picker.type = "color";
    picker.className = "color-picker";
    picker.setAttribute("aria-label", "Pick the colour");
    if (HEX.test(input.value.trim())) picker.value = input.value.trim().toLowerCase();
    var row = document.createElement("div");
    row.className = "color-row";
    input.parentNode.insertBefore(row, input);
    row.appendChild(input);
    row.appendChild(picker);
    picker.addEventListener("input", function () {
      input.value = picker.value;
      onChange();
    });
    input.addEventListener("input", function () {
      if (HEX.test(input.value.trim())) picker.value = input.value.trim().toLowerCase();
    });
  }

  function startPreview() {
    var preview = document.querySelector("[data-widget-preview]");
    var form = document.querySelector("[data-inbox-form]");
    if (!preview || !form) return;
    var contrast = document.querySelector("[data-preview-contrast]");
    var color = form.querySelector("[data-preview=color]");
    var position = form.querySelector("[data-preview=position]");
    var lastColor = preview.getAttribute("data-defaults-color");

    function text(name, value) {
      preview.querySelectorAll('[data-preview-out="' + name + '"]').forEach(function (el) {
        el.textContent = value.trim() || el.getAttribute("data-default") || "";
      });
    }

    function update() {
      if (color) {
        var value = color.value.trim();
        if (HEX.test(value)) lastColor = value;  // a half-typed colour keeps the last one
        preview.style.setProperty("--preview-color", lastColor);
        if (contrast) showContrast(contrast, value);
      }
      if (position) preview.classList.toggle("is-left", position.value === "left");
      form.querySelectorAll("[data-preview]").forEach(function (field) {
        var name = field.getAttribute("data-preview");
        if (name !== "color" && name !== "position") text(name, field.value);
      });
      var name = form.querySelector("#id_name");
      if (name) text("name", name.value);
    }

    if (color) addPicker(color, update);
    form.addEventListener("input", update);
    form.addEventListener("change", update);
    update();
  }

  function startCopy() {
    document.querySelectorAll("[data-copy]").forEach(function (button) {
      var source = document.getElementById(button.getAttribute("data-copy"));
      var status = button.parentNode.querySelector("[data-copy-status]");
      if (!source || !navigator.clipboard) return;
      button.hidden = false;
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(source.value).then(function () {
          if (status) status.textContent = "Copied.";
        }, function () {
          source.select();
          if (status) status.textContent = "Select the code and copy it (Ctrl+C).";
        });
      });
    });
  }

  function start() {
    startPreview();
    startCopy();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
