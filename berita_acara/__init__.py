"""Per-kecamatan sorting reports and berita acara for UPT handover."""
