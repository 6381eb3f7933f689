// A canned reply chosen in a reply box goes into its text area, to be adapted before sending.
document.querySelectorAll("select.canned-reply").forEach(function (select) {
  select.addEventListener("change", function () {
    if (select.selectedIndex < 1) { return; }
    var box = document.getElementById(select.dataset.target);
    box.value = select.options[select.selectedIndex].dataset.text;
    box.focus();
  });
});
