"""Fixed value sets shared by the bot, the back office and the API."""

from enum import StrEnum


class Service(StrEnum):
    """What a citizen asks for; the values are part of the public API."""

    KK = "kk"
    KTP_EL = "ktp-el"
    KIA = "kia"
    AKTA_KELAHIRAN = "akta-kelahiran"
    AKTA_KEMATIAN = "akta-kematian"
    PINDAH = "pindah"
    PERBAIKAN_DATA = "perbaikan-data"
    PENGADUAN = "pengaduan"
    SIAGA = "siaga"  # Dukcapil Siaga: a third party reports a vulnerable resident for a home visit
    JEMPUT_BOLA = "jemput-bola"  # an outreach visit a pekon or an institution asked for (SIJARLA)

    @property
    def label(self) -> str:
        """The name staff and citizens read."""
        return SERVICE_LABELS[self]


SERVICE_LABELS: dict[Service, str] = {
    Service.KK: "Kartu Keluarga (KK)",
    Service.KTP_EL: "KTP Elektronik (KTP-el)",
    Service.KIA: "Kartu Identitas Anak (KIA)",
    Service.AKTA_KELAHIRAN: "Akta Kelahiran",
    Service.AKTA_KEMATIAN: "Akta Kematian",
    Service.PINDAH: "Surat Pindah (SKPWNI)",
    Service.PERBAIKAN_DATA: "Perbaikan Data",
    Service.PENGADUAN: "Pengaduan",
    Service.SIAGA: "Dukcapil Siaga (penduduk rentan)",
    Service.JEMPUT_BOLA: "Pelayanan jemput bola (SIJARLA)",
}

# Document requests, in the order the bot's menu lists them.
DOCUMENT_SERVICES: tuple[Service, ...] = tuple(
    s for s in Service if s not in (Service.PENGADUAN, Service.SIAGA, Service.JEMPUT_BOLA))


class Channel(StrEnum):
    """How a ticket reached the office."""

    WHATSAPP = "whatsapp"
    CALL_CENTER = "call-center"
    PEKON = "pekon"  # keyed in by village (pekon) staff for a citizen at the village office


class Direction(StrEnum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"


class MessageStatus(StrEnum):
    """Twilio's message states plus our own for inbound and outbox messages."""

    RECEIVED = "received"
    OUTBOX = "outbox"
    ACCEPTED = "accepted"
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    DELIVERED = "delivered"
    READ = "read"
    FAILED = "failed"
    UNDELIVERED = "undelivered"


class AttachmentStatus(StrEnum):
    PENDING = "pending"
    STORED = "stored"
    REFUSED = "refused"
    FAILED = "failed"
    PURGED = "purged"  # the file was deleted when the ticket's retention period ended
