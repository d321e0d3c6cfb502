/* The chosen theme (light / dark), set before the first paint; "system" follows the OS. */
(function () {
  "use strict";
  try {
    var theme = window.localStorage.getItem("omnidesk-theme");
    if (theme === "light" || theme === "dark") {
      document.documentElement.setAttribute("data-theme", theme);
    }
  } catch (e) { /* storage may be off: the system theme applies */ }
})();
