// Narrows a pekon choice (one group per kecamatan, all shown without JavaScript) to the kecamatan chosen
// in the same form, so a phone lists a few dozen names instead of three hundred.
(function () {
  function narrow(select, kecamatan) {
    var code = kecamatan.value;
    select.querySelectorAll("optgroup[data-kecamatan]").forEach(function (group) {
      var other = code !== "" && group.dataset.kecamatan !== code;
      group.hidden = other;
      group.disabled = other;
    });
    var chosen = select.selectedOptions[0];
    if (chosen && chosen.parentElement.disabled) select.value = "";
  }
  document.querySelectorAll("select[data-pekon-select]").forEach(function (select) {
    var kecamatan = select.form && select.form.elements.namedItem("kecamatan");
    if (!kecamatan || kecamatan.tagName !== "SELECT") return;
    narrow(select, kecamatan);
    kecamatan.addEventListener("change", function () { narrow(select, kecamatan); });
  });
})();
