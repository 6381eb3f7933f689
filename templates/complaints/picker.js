// The canned-answer picker of a complaint's page: "Masukkan ke jawaban" puts the canned answer into the
// answer field (where the cursor was when the officer already typed there, else after what is written),
// and moves there to adapt it. Without this script the canned answers are still on the page to copy.
document.addEventListener("DOMContentLoaded", function () {
  var picker = document.querySelector(".canned-picker");
  var field = picker && document.getElementById(picker.dataset.target);
  if (!field) { return; }
  var cursor = null;
  field.addEventListener("blur", function () { cursor = [field.selectionStart, field.selectionEnd]; });
  picker.querySelectorAll(".canned-use").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var text = button.closest(".canned-answer").querySelector(".canned-body").textContent;
      var value = field.value;
      var joined = text;
      if (value.trim() && cursor) {
        joined = value.slice(0, cursor[0]) + text + value.slice(cursor[1]);
      } else if (value.trim()) {
        joined = value.replace(/\s+$/, "") + "\n\n" + text;
      }
      var limit = field.maxLength > 0 ? field.maxLength : Infinity;
      if (joined.length > limit) {
        if (!window.confirm("Jawaban akan melebihi " + limit + " karakter. Ganti seluruh isi kolom jawaban dengan jawaban baku ini?")) { return; }
        joined = text;
      }
      field.value = joined;
      field.focus();
      field.scrollIntoView({ block: "center" });
    });
  });
});
