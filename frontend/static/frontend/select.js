// Fields marked data-select-on-click select their whole value when clicked (e.g. the calendar
// address to copy). A file, not an onclick attribute: the Content-Security-Policy allows no
// inline event handlers.
"use strict";
document.addEventListener("click", (event) => {
  const field = event.target.closest("[data-select-on-click]");
  if (field) field.select();
});
