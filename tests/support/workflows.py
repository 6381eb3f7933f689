"""The SOP the Tanggamus document chain runs on, for tests that walk it."""

TANGGAMUS = "pengaduan_online_tanggamus"
BALANGAN = "digitalisasi_desa_balangan"
