"""The day and date written out in Indonesian, as the berita acara's opening needs them."""

from datetime import date

import pytest

from layanan.indonesian_words import long_date, number_words, opening_phrase


@pytest.mark.parametrize(("n", "words"), [
    (1, "satu"), (9, "sembilan"), (10, "sepuluh"), (11, "sebelas"), (12, "dua belas"), (19, "sembilan belas"),
    (20, "dua puluh"), (21, "dua puluh satu"), (31, "tiga puluh satu"), (100, "seratus"), (101, "seratus satu"),
    (110, "seratus sepuluh"), (111, "seratus sebelas"), (250, "dua ratus lima puluh"), (1000, "seribu"),
    (1001, "seribu satu"), (1999, "seribu sembilan ratus sembilan puluh sembilan"), (2000, "dua ribu"),
    (2011, "dua ribu sebelas"), (2026, "dua ribu dua puluh enam"), (11000, "sebelas ribu"),
    (100000, "seratus ribu"), (1000000, "satu juta"),
])
def test_number_words(n: int, words: str) -> None:
    assert number_words(n) == words


@pytest.mark.parametrize(("day", "opening"), [
    (date(2026, 11, 23), "Pada hari ini Senin tanggal dua puluh tiga bulan November tahun dua ribu dua puluh enam"),
    (date(2026, 1, 1), "Pada hari ini Kamis tanggal satu bulan Januari tahun dua ribu dua puluh enam"),
    (date(2026, 12, 11), "Pada hari ini Jumat tanggal sebelas bulan Desember tahun dua ribu dua puluh enam"),
    (date(2027, 2, 21), "Pada hari ini Minggu tanggal dua puluh satu bulan Februari tahun dua ribu dua puluh tujuh"),
    (date(2026, 8, 31), "Pada hari ini Senin tanggal tiga puluh satu bulan Agustus tahun dua ribu dua puluh enam"),
    (date(2030, 3, 10), "Pada hari ini Minggu tanggal sepuluh bulan Maret tahun dua ribu tiga puluh"),
    (date(2100, 5, 12), "Pada hari ini Rabu tanggal dua belas bulan Mei tahun dua ribu seratus"),
    (date(1999, 12, 31), "Pada hari ini Jumat tanggal tiga puluh satu bulan Desember tahun seribu sembilan ratus "
                         "sembilan puluh sembilan"),
])
def test_opening_phrase(day: date, opening: str) -> None:
    assert opening_phrase(day) == opening


def test_long_date_under_a_signature() -> None:
    assert long_date(date(2026, 7, 1)) == "1 Juli 2026"
