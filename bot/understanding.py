"""Reading messy Indonesian WhatsApp writing, without any outside service: normalised words, the slots a
message carries (service, NIK, name, kecamatan), the intents it may mean, ranked, and the documents the
office issues but the bot's menu lacks.

Pure: no Flask, database or clock. The conversation asks; this module only reads.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from bot.kecamatan_match import KecamatanMatch, resolve_kecamatan
from tickets.constants import Service

# Chat spellings -> the word the rest of the bot knows. Applied word by word after lower-casing.
SLANG: dict[str, str] = {
    "yg": "yang", "sy": "saya", "sya": "saya", "aq": "saya", "aku": "saya", "gw": "saya", "gue": "saya",
    "mw": "mau", "mo": "mau", "pengen": "mau", "pingin": "mau", "ingin": "mau", "mauu": "mau",
    "gmn": "bagaimana", "gmna": "bagaimana", "gimana": "bagaimana", "bgmn": "bagaimana", "bgm": "bagaimana",
    "tdk": "tidak", "tak": "tidak", "gak": "tidak", "ga": "tidak", "gk": "tidak", "nggak": "tidak",
    "enggak": "tidak", "engga": "tidak", "ndak": "tidak", "kagak": "tidak",
    "blm": "belum", "blum": "belum", "belom": "belum", "blom": "belum",
    "bs": "bisa", "bsa": "bisa", "bisakah": "bisa",
    "akte": "akta", "ktp": "ktp", "ektp": "ktp", "ktpel": "ktp", "e-ktp": "ktp", "kk": "kk",
    "sdh": "sudah", "udh": "sudah", "udah": "sudah", "dah": "sudah", "sudh": "sudah",
    "dgn": "dengan", "dg": "dengan", "utk": "untuk", "untk": "untuk", "krn": "karena",
    "brp": "berapa", "brapa": "berapa", "berapakah": "berapa", "jm": "jam", "kpn": "kapan", "kapankah": "kapan",
    "dmn": "mana", "dimana": "mana", "dmana": "mana", "mn": "mana", "knp": "kenapa", "tgl": "tanggal",
    "lhr": "lahir", "bkin": "bikin", "bikinin": "bikin", "buatin": "bikin", "membuat": "bikin", "pembuatan": "bikin",
    "ngurus": "urus", "mengurus": "urus", "pengurusan": "urus", "urusan": "urus",
    "hrs": "harus", "jg": "juga", "aja": "saja", "aj": "saja", "sj": "saja", "tp": "tapi", "klo": "kalau",
    "kalo": "kalau", "kl": "kalau", "trs": "terus", "sm": "sama", "org": "orang", "ortu": "orangtua",
    "bpk": "bapak", "pak": "bapak", "bu": "ibu", "kec": "kecamatan", "kab": "kabupaten", "ds": "desa",
    "no": "nomor", "nmr": "nomor", "nomer": "nomor", "almt": "alamat", "kntr": "kantor", "ilang": "hilang",
    "ngadu": "adukan",
    "syarat2": "syarat", "syaratnya": "syarat", "persyaratannya": "persyaratan", "sampe": "sampai",
    "makasih": "terimakasih", "mksh": "terimakasih", "trimakasih": "terimakasih", "tks": "terimakasih",
    "dok": "dokumen", "doc": "dokumen", "perbaiki": "perbaikan", "memperbaiki": "perbaikan",
}
# Numbers written as words, as citizens spell a choice or a NIK ("satu delapan nol enam").
NUMBER_WORDS: dict[str, str] = {
    "nol": "0", "satu": "1", "dua": "2", "tiga": "3", "empat": "4", "lima": "5", "enam": "6", "tujuh": "7",
    "delapan": "8", "sembilan": "9", "sepuluh": "10", "sebelas": "11", "pertama": "1", "kedua": "2",
    "ketiga": "3", "keempat": "4",
}
# Several words for one thing, after SLANG: "kartu tanda penduduk" -> "ktp".
PHRASES: tuple[tuple[str, str], ...] = (
    ("kartu tanda penduduk elektronik", "ktp"), ("kartu tanda penduduk", "ktp"), ("e ktp", "ktp"),
    ("ktp el", "ktp"), ("ktp elektronik", "ktp"), ("kartu keluarga", "kk"), ("k k", "kk"),
    ("kartu identitas anak", "kia"), ("kartu anak", "kia"), ("di mana", "mana"),
)

_EMOJI_CATEGORIES = frozenset({"So", "Sk", "Cs", "Co", "Cn"})


# The only ASCII characters of those categories (modifier symbols): a message in plain ASCII, most of them,
# needs no walk through its characters.
_ASCII_SYMBOLS = str.maketrans("", "", "^`")


def strip_symbols(text: str) -> str:
    """The text without emoji, pictographs and their joiners and variation selectors."""
    if text.isascii():
        return text.translate(_ASCII_SYMBOLS)
    kept = []
    for ch in unicodedata.normalize("NFC", text):
        if unicodedata.category(ch) in _EMOJI_CATEGORIES or ch in "\u200d\ufe0f\ufe0e\u20e3":
            continue
        if 0x1F000 <= ord(ch) <= 0x1FAFF:
            continue
        kept.append(ch)
    return "".join(kept)


def normalise(text: str) -> str:
    """Lower-case words with chat spellings, phrases and number words made regular: 'mw bkin e-ktp' ->
    'mau bikin ktp'. Digits stay as typed; punctuation becomes spaces."""
    lowered = strip_symbols(text).lower().replace("e-ktp", "ektp")
    words = _NOT_WORD.sub(" ", lowered).split()
    words = [NUMBER_WORDS.get(w, SLANG.get(w, w)) for w in words]
    # Glued words the phone keyboard makes: "bikinktp", "aktalahir".
    joined = " ".join(words)
    for first_word, phrase, canonical in _PHRASE_PATTERNS:
        if first_word in joined:  # most messages hold none of them: no regular expression to run
            joined = phrase.sub(canonical, joined)
    return joined


_NOT_WORD = re.compile(r"[^\w]+|_")
# PHRASES in their order (a phrase may be made by the one before), each compiled once.
_PHRASE_PATTERNS = tuple((phrase.split()[0], re.compile(rf"\b{phrase}\b"), canonical) for phrase, canonical in PHRASES)


def choice_of(normalised: str) -> int | None:
    """A menu choice written as digits or words: '2', 'no 2', 'pilih dua', 'yang kedua'."""
    match = re.fullmatch(r"(?:yang |pilih |pilihan |nomor |angka |no )*([0-9]{1,2})(?: saja)?", normalised)
    return int(match.group(1)) if match else None


# --- NIK ------------------------------------------------------------------------------------------

_DIGIT_RUN = re.compile(r"(?<![0-9])[0-9](?:[0-9]|[ .\-](?=[0-9]))*", flags=re.ASCII)


def digit_runs(text: str) -> list[str]:
    """The runs of digits in the text (spaces, dots and dashes between digits tolerated), digits only."""
    spelled = " ".join(NUMBER_WORDS.get(w.lower(), w) for w in text.split())
    return [re.sub(r"[^0-9]", "", run) for run in _DIGIT_RUN.findall(spelled)]


def nik_candidates(text: str) -> list[str]:
    """The 16-digit numbers in the text: 'NIK saya 1806 0157 0890 0001' -> ['1806015708900001']."""
    return [run for run in digit_runs(text) if len(run) == 16]


# --- Names ----------------------------------------------------------------------------------------

NAME_MARKERS = re.compile(
    r"\b(?:nama\s+lengkap\s+saya|nama\s+saya|nama\s+lengkap|nama\s+sy|atas\s+nama|nama|a\.n\.?)\s*(?:adalah|:|=|-)?\s*",
    flags=re.IGNORECASE)
# Where a name typed in a longer message ends: another slot's word, a number or punctuation.
_NAME_END = re.compile(
    r"[,;\n(/]|\b(?:nik|no|nomor|kec|kecamatan|alamat|tinggal|warga|desa|pekon|kelurahan|dari|di|mau|ingin|untuk|"
    r"utk|lahir|tgl|tanggal|hp|wa|umur|usia|ktp|kk|dan|yang|yg)\b|[0-9]",
    flags=re.IGNORECASE)


def name_in(text: str) -> str | None:
    """The name a message gives after 'nama', 'nama saya', 'atas nama' ('nama: Siti Aminah, kec ...')."""
    marker = NAME_MARKERS.search(text)
    if marker is None:
        return None
    rest = text[marker.end():]
    end = _NAME_END.search(rest)
    return (rest[: end.start()] if end else rest).strip(" .:-") or None


# --- Kecamatan ------------------------------------------------------------------------------------

_KECAMATAN_MARKER = re.compile(r"\b(?:kec|kecamatan|kecamatannya)\b\.?\s*", flags=re.IGNORECASE)
_PLACE_MARKER = re.compile(r"\b(?:di|dari|warga|domisili|tinggal|upt)\s+", flags=re.IGNORECASE)
_PLACE_END = re.compile(r"[,;\n(/0-9]|\b(?:nik|nama|mau|ingin|untuk|utk|dan|kab|kabupaten|desa|pekon|ya|yg|yang)\b",
                        flags=re.IGNORECASE)
MAX_PLACE_WORDS = 3


def kecamatan_in(text: str, *, loose: bool) -> KecamatanMatch | None:
    """The kecamatan a longer message names after 'kec'/'kecamatan' (and, when loose, after 'di', 'dari',
    'warga', 'tinggal' or 'upt', by a name written in full). None when it names none."""
    for marker, strict in ((_KECAMATAN_MARKER, False), *(((_PLACE_MARKER, True),) if loose else ())):
        for found in marker.finditer(text):
            rest = text[found.end():]
            end = _PLACE_END.search(rest)
            words = (rest[: end.start()] if end else rest).split()[:MAX_PLACE_WORDS]
            if not words:
                continue
            match = resolve_kecamatan(" ".join(words), exact_only=strict)
            if match.chosen is not None or match.candidates:
                return match
    return None


# --- Intents --------------------------------------------------------------------------------------


class Intent:
    """What a message may ask for besides a document service."""

    COMPLAINT = "complaint"
    STATUS = "status"


# Per service, the phrases that name it (in normalised form), strongest first.
SERVICE_WORDS: dict[Service, tuple[str, ...]] = {
    Service.KK: ("kk", "kartu keluarga", "pisah kk", "tambah anak", "tambah anggota", "anggota keluarga",
                 "masukkan anak", "masukin anak", "numpang kk"),
    Service.KTP_EL: ("ktp", "rekam ktp", "perekaman", "cetak ktp"),
    Service.KIA: ("kia",),
    Service.AKTA_KELAHIRAN: ("akta kelahiran", "akta lahir", "akta anak", "kelahiran", "baru lahir", "lahiran",
                             "melahirkan", "akta kelahirannya"),
    Service.AKTA_KEMATIAN: ("akta kematian", "akta mati", "kematian", "meninggal", "wafat", "almarhum",
                            "almarhumah", "meninggal dunia"),
    Service.PINDAH: ("pindah", "skpwni", "surat pindah", "pindahan", "pindah domisili", "mutasi", "pindah datang"),
    Service.PERBAIKAN_DATA: ("perbaikan data", "perbaikan", "ubah data", "ganti data", "koreksi", "ralat",
                             "revisi", "pembetulan", "betulkan", "benerin", "update data"),
}
# A problem with the data of a document: with a document named, the request is a correction.
DATA_PROBLEM = ("salah", "keliru", "beda", "berbeda", "typo", "tidak sesuai", "tidak sama", "kurang huruf",
                "salah ketik", "ganti nama", "ubah nama", "ganti alamat", "ubah alamat", "ganti agama",
                "ganti status", "ubah status", "ganti pekerjaan", "ubah pekerjaan", "tidak cocok")
COMPLAINT_PHRASES = ("pengaduan", "aduan", "adukan", "mengadu", "komplain", "keluhan", "mengeluh", "pungli",
                     "pungutan", "dimintai uang", "diminta uang", "minta uang", "dipersulit", "calo", "kecewa",
                     "tidak dilayani", "tidak ramah", "jutek", "kasar", "marah marah", "dimarahi", "lama sekali",
                     "lambat sekali", "lambat banget", "lama banget", "ditelantarkan", "dibiarkan", "tidak jelas",
                     "petugasnya", "oknum", "sogok", "pelayanan buruk", "pelayanannya")
STATUS_PHRASES = ("belum jadi", "sudah jadi", "kapan jadi", "sudah selesai belum", "sampai mana", "sudah sampai mana",
                  "cek status", "status permohonan", "bagaimana kabar", "kabar permohonan", "belum selesai",
                  "kok belum")
# Documents the office issues (or that are issued elsewhere) that the menu lacks: each has its own answer.
UNSUPPORTED: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("unsupported_marriage", ("akta perkawinan", "akta kawin", "akta nikah", "akta pernikahan", "catat nikah",
                              "pencatatan perkawinan", "pencatatan nikah", "buku nikah")),
    ("unsupported_divorce", ("akta perceraian", "akta cerai", "catat cerai", "pencatatan perceraian")),
    ("unsupported_legalisir", ("legalisir", "legalisasi", "legalisirkan", "dilegalisir", "legalisir kk")),
    ("unsupported_certificate", ("surat keterangan", "suket", "sk domisili", "keterangan domisili", "sktm",
                                 "surat domisili", "keterangan tidak mampu", "surat keterangan tidak mampu")),
    ("unsupported_other", ("akta pengakuan anak", "pengesahan anak", "akta pengangkatan anak", "adopsi",
                           "ganti kelamin", "paspor", "sim", "skck", "npwp", "bpjs")),
)
REQUEST_VERBS = ("mau", "bikin", "urus", "ajukan", "daftar", "minta", "buat", "cetak", "perlu", "butuh", "bisa",
                 "tolong", "hilang", "rusak", "baru", "ganti", "ambil", "perpanjang")


@dataclass(frozen=True)
class Reading:
    """What one message may mean, the strongest first, and anything the bot should answer at once."""

    services: tuple[Service, ...] = ()  # the document services the message names, most plausible first
    complaint: bool = False
    status: bool = False
    unsupported: str | None = None  # the catalogue key of the answer for a document the menu lacks

    @property
    def service(self) -> Service | None:
        """The one service meant, when exactly one remains plausible."""
        return self.services[0] if len(self.services) == 1 else None


def read_intents(normalised: str) -> Reading:
    """Rank what the (normalised) message may ask for: a complaint before a status question before a
    document; a document named with a problem in its data is a correction ('nama di kk salah')."""
    padded = f" {normalised} "  # a phrase is found whole: " kk " is not in " kkn "

    def has(phrase: str) -> bool:
        return f" {phrase} " in padded

    complaint = any(has(p) for p in COMPLAINT_PHRASES)
    status = any(has(p) for p in STATUS_PHRASES)
    for key, phrases in UNSUPPORTED:
        if any(has(p) for p in phrases):
            if not (key == "unsupported_certificate" and has("surat keterangan pindah")):
                return Reading(complaint=complaint, unsupported=key)
    named = [s for s, phrases in SERVICE_WORDS.items() if any(has(p) for p in phrases)]
    if Service.PERBAIKAN_DATA not in named and any(has(p) for p in DATA_PROBLEM) and (
            named or any(has(w) for w in ("data", "nama", "tanggal", "alamat", "agama"))):
        named = [Service.PERBAIKAN_DATA]
    elif Service.PERBAIKAN_DATA in named:
        named = [Service.PERBAIKAN_DATA]  # "perbaikan kk": the correction, not a new KK
    elif Service.PINDAH in named:
        named = [Service.PINDAH]  # "pindah kk", "surat pindah ktp": the move carries the documents
    elif Service.AKTA_KEMATIAN in named:
        named = [Service.AKTA_KEMATIAN]  # "akta kematian ... kk almarhum"
    elif Service.AKTA_KELAHIRAN in named and Service.KIA not in named:
        named = [Service.AKTA_KELAHIRAN]  # "akta lahir anak, kk orang tua": the certificate is asked
    if not named and has("akta"):
        named = [Service.AKTA_KELAHIRAN, Service.AKTA_KEMATIAN]  # "akta" alone: which one?
    return Reading(services=tuple(named), complaint=complaint, status=status)


# --- English --------------------------------------------------------------------------------------

ENGLISH = frozenset({"hello", "hi", "please", "i", "want", "need", "my", "how", "what", "where", "the", "is", "are",
                     "card", "birth", "certificate", "help", "can", "you", "office", "id", "identity", "family",
                     "to", "apply", "for", "a", "an", "do", "does", "get", "new", "lost", "open", "when", "good",
                     "morning", "afternoon", "evening", "thank", "thanks", "speak", "english", "would", "like",
                     "status", "of", "application", "this", "with", "in", "there", "anyone", "sir", "madam"})
INDONESIAN_HINTS = frozenset({"saya", "mau", "yang", "tidak", "apa", "bagaimana", "untuk", "dengan", "ktp", "kk",
                              "bisa", "akta", "kantor", "sudah", "belum", "ada", "ini", "itu", "dan", "di", "ke",
                              "pak", "bapak", "ibu", "min", "kak", "tolong", "mohon", "selamat"})
MIN_ENGLISH_WORDS = 2


def is_english(raw: str) -> bool:
    """Whether the message is written in English: two or more English words and no Indonesian one."""
    words = re.sub(r"[^\w]+|_", " ", raw.lower()).split()
    english = sum(w in ENGLISH for w in words)
    return english >= MIN_ENGLISH_WORDS and english * 2 >= len(words) and not INDONESIAN_HINTS.intersection(words)
