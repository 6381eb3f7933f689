// The canned-answer picker of a complaint's page: "Masukkan ke jawaban" puts the canned answer into the
// answer field (where the cursor was when the officer already typed there, else after what is written),
// and moves there to adapt it. Without this script the canned answers are still on the page to copy.
// Picker and field are looked up at each use: the ticket page swaps its panels in place (claiming brings the field).
(function () {
  if (window.cannedPickerReady) { return; } // loaded again with a swapped panel: listen once
  window.cannedPickerReady = true;
  var cursor = null;
  function answerField() {
    var picker = document.querySelector(".canned-picker");
    return picker && document.getElementById(picker.dataset.target);
  }
  function offer() {
    var field = answerField();
    document.querySelectorAll(".canned-picker .canned-use").forEach(function (button) { button.hidden = !field; });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", offer); } else { offer(); }
  document.addEventListener("htmx:afterSettle", function () { cursor = null; offer(); });
  document.addEventListener("focusout", function (event) {
    if (event.target === answerField()) { cursor = [event.target.selectionStart, event.target.selectionEnd]; }
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest(".canned-picker .canned-use");
    var field = answerField();
    if (!button || !field) { return; }
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
})();
