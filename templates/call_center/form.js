// Ctrl+Enter (or Cmd+Enter) saves the call from any field, the notes included.
document.addEventListener("keydown", function (event) {
  if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey)) { return; }
  var form = event.target.closest && event.target.closest("form[data-save-shortcut]");
  if (!form) { return; }
  event.preventDefault();
  if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
});
