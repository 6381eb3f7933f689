// Before sending: refuse files that are too big or too many here, so a slow connection does not carry
// them to the server only to be refused there. Everything typed stays in the form.
document.addEventListener("DOMContentLoaded", function () {
  var form = document.querySelector("form.submission");
  if (!form) { return; }
  var input = form.querySelector("input[name=berkas]");
  var box = document.getElementById("berkas-periksa");
  var maxBytes = parseInt(form.dataset.maxBytes, 10);
  var bodyLimit = parseInt(form.dataset.bodyLimit, 10);
  var maxFiles = parseInt(form.dataset.maxFiles, 10);

  function problems() {
    var found = [];
    var total = 0;
    var files = input ? Array.prototype.slice.call(input.files) : [];
    files.forEach(function (file) {
      total += file.size;
      if (file.size > maxBytes) {
        found.push(file.name + ": ukuran file melebihi " + form.dataset.limitText + "; perkecil atau pindai ulang dengan resolusi lebih rendah.");
      }
    });
    if (files.length > maxFiles) {
      found.push("Paling banyak " + form.dataset.maxFilesText + " berkas per pengajuan; pilih lebih sedikit.");
    } else if (!found.length && total > bodyLimit) {
      found.push("Jumlah ukuran berkas melebihi " + form.dataset.bodyLimitText + " sekaligus; kirim sebagian dulu.");
    }
    return found;
  }

  function show(found) {
    box.textContent = found.join(" ");
    box.hidden = !found.length;
    if (found.length) { input.setAttribute("aria-invalid", "true"); } else { input.removeAttribute("aria-invalid"); }
  }

  if (input && box) {
    input.addEventListener("change", function () { show(problems()); });
    form.addEventListener("submit", function (event) {
      var found = problems();
      show(found);
      if (found.length) { event.preventDefault(); input.focus(); }
    });
  }
});
