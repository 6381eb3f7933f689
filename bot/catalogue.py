"""Every text a citizen reads on WhatsApp, in short Bahasa Indonesia, rendered by key."""

from string import Formatter

from bot.services_catalog import required_documents
from tickets.constants import DOCUMENT_SERVICES, Service
from tickets.kecamatan import KECAMATAN

OFFICE_HOURS = "Senin-Jumat pukul 08.00-16.00 WIB"
TICKET_EXAMPLE = "PGD-2026-000123"

_MENU = (
    "Balas dengan angka:\n"
    "1. Ajukan permohonan dokumen\n"
    "2. Cek status permohonan\n"
    "3. Sampaikan pengaduan\n"
    "4. Bantuan / hubungi petugas\n"
    "5. Dukcapil Siaga: petugas datang ke rumah warga lansia, sakit, disabilitas atau ODGJ"
)
_SERVICE_LIST = "\n".join(f"{i}. {service.label}" for i, service in enumerate(DOCUMENT_SERVICES, start=1))
_KECAMATAN_LIST = "\n".join(f"{i}. {k.name}" for i, k in enumerate(KECAMATAN, start=1))
_CONFIRM = "Ketik *ya* untuk mengirim, atau *batal* untuk membatalkan."

MESSAGES: dict[str, str] = {
    # Menu and commands
    "welcome": "Selamat datang di Layanan Pengaduan Online Disdukcapil Kabupaten Tanggamus.\n\n" + _MENU,
    "menu": _MENU,
    "not_understood": "Maaf, jawaban Anda belum kami pahami.",
    "offer_human": "Sepertinya Anda kesulitan. Ketik *bantuan* untuk dihubungkan dengan petugas, "
                   "atau *menu* untuk mulai dari awal.",
    "cancelled": "Baik, dibatalkan. Data yang belum dikirim tidak kami simpan. Ketik *menu* untuk mulai lagi.",
    "you_are_welcome": "Sama-sama. Ketik *menu* jika ada lagi yang bisa kami bantu.",
    "nothing_to_cancel": "Tidak ada permohonan yang sedang berjalan.\n\n" + _MENU,
    "restarted_idle": "Percakapan sebelumnya tidak dilanjutkan selama 24 jam, jadi kami mulai dari awal. "
                      "Data yang belum dikirim tidak disimpan.",
    "human_requested": "Permintaan Anda sudah kami teruskan ke petugas. Petugas akan membalas pada jam kerja, "
                       f"{OFFICE_HOURS}.\nKetik *menu* untuk kembali ke layanan otomatis.",
    "human_waiting": f"Pesan Anda akan dibaca petugas pada jam kerja ({OFFICE_HOURS}). "
                     "Ketik *menu* untuk kembali ke layanan otomatis.",
    "media_not_now": "File belum bisa kami terima pada langkah ini; kirim setelah diminta.",
    "internal_error": "Maaf, sistem kami sedang mengalami gangguan. Pesan Anda sudah tersimpan. "
                      "Silakan coba lagi beberapa saat lagi, atau tunggu petugas menghubungi Anda.",
    # Dukcapil Siaga: a third party reports a vulnerable resident for a home visit
    "ask_siaga_reporter": "*Dukcapil Siaga*\nPetugas datang ke rumah penduduk yang tidak dapat ke kantor (lansia, "
                          "sakit, disabilitas, ODGJ, penghuni panti). Ketik nama lengkap Anda sebagai pelapor.",
    "ask_siaga_relation": "Apa hubungan Anda dengan penduduk tersebut? Balas angka atau tulis singkat "
                          "(contoh: anak):\n{relations}",
    "siaga_relation_invalid": "Tulis hubungan Anda dengan huruf, contoh: anak, cucu, kepala pekon.",
    "ask_siaga_subject": "Ketik nama lengkap penduduk yang perlu didatangi (boleh walau belum punya NIK).",
    "ask_siaga_pekon": "Di pekon/kelurahan mana penduduk tinggal?",
    "siaga_pekon_invalid": "Tulis nama pekon/kelurahan dengan huruf, contoh: Sukamaju.",
    "ask_siaga_kecamatan": "Di kecamatan mana? Ketik nama atau angkanya:\n" + _KECAMATAN_LIST,
    "ask_siaga_condition": "Ceritakan singkat kondisi penduduk dan dokumen yang dibutuhkan "
                           "(contoh: lansia 80 tahun, tidak bisa berjalan, belum punya KTP-el).",
    "siaga_condition_too_short": "Ceritakan sedikit lebih lengkap (minimal 10 huruf).",
    "ask_siaga_phone": "Nomor HP yang bisa dihubungi petugas untuk mengatur kunjungan? Ketik *sama* bila sama "
                       "dengan nomor WhatsApp ini.",
    "siaga_phone_same": "Atau ketik *sama* untuk memakai nomor WhatsApp ini.",
    "ask_siaga_letters": "Kirim foto/PDF surat pendukung bila ada: surat keterangan domisili dari pekon/kelurahan, "
                         "surat dari Dinas Sosial (ODGJ/terlantar), surat dari kepolisian (tanpa identitas). "
                         "Ketik *lewati* bila belum ada.",
    "siaga_letters_waiting": "{count} file sudah diterima. Kirim lagi bila ada, atau ketik *selesai*.",
    "ask_siaga_urgent": "Apakah dokumen ini *mendesak*, misalnya untuk berobat ke rumah sakit atau bantuan sosial? "
                        "Balas *ya* atau *tidak*.",
    "siaga_urgent_yes": "Mendesak",
    "siaga_urgent_no": "Biasa",
    "siaga_phone_this": "nomor WhatsApp ini",
    "confirm_siaga": "*Laporan Siaga:*\nPelapor: {name} ({relation})\nPenduduk: {subject}\n"
                     "Alamat: {pekon}, Kec. {kecamatan}\nKondisi: {description}\nTelepon: {contact}\n"
                     "Surat: {files} file\nPrioritas: {priority}\nKetik *ya* untuk mengirim atau *batal*.",
    # Status
    "status_ask": f"Ketik nomor tiket Anda, contoh: {TICKET_EXAMPLE}",
    "status_number_invalid": f"Nomor tiket tidak dikenali. Contoh nomor yang benar: {TICKET_EXAMPLE}",
    "status_reply": "Tiket *{number}*\nLayanan: {service_label}\nStatus: {stage_label}",
    # One answer for a ticket that does not exist and one of another number: guessing reveals nothing.
    "status_unavailable": "Tiket {number} tidak ditemukan untuk nomor WhatsApp ini. Periksa kembali nomornya, "
                          f"contoh: {TICKET_EXAMPLE}. Demi kerahasiaan data, status hanya bisa dicek dari "
                          "nomor WhatsApp yang mengajukan.",
    # Document request
    "ask_service": "Pilih dokumen yang ingin diajukan (balas angka):\n" + _SERVICE_LIST,
    "ask_nik": "*{service_label}*\nKetik NIK Anda sebagai pemohon (16 angka, lihat KTP-el atau KK).",
    "nik_invalid": "{reason}\nSilakan ketik ulang NIK Anda (16 angka).",
    "nik_outside_tanggamus": "Catatan: NIK ini bukan NIK Kabupaten Tanggamus. Permohonan tetap kami terima "
                             "dan akan diperiksa petugas.",
    "ask_name": "Ketik nama lengkap Anda sesuai KTP-el/KK.",
    "name_invalid": "Nama harus 2-100 huruf; boleh memakai spasi, titik, koma, tanda hubung dan tanda petik, "
                    "tanpa angka. Silakan ketik ulang nama lengkap Anda.",
    "ask_kecamatan": "Anda tinggal di kecamatan mana? Ketik nama atau angkanya:\n" + _KECAMATAN_LIST,
    "kecamatan_not_found": "Kecamatan tidak ditemukan. Ketik angka dari daftar ini:\n" + _KECAMATAN_LIST,
    "ask_detail_pindah": "Tulis alamat tujuan pindah (pekon/kelurahan, kecamatan, kabupaten/kota, provinsi) "
                         "dan alasan pindah.",
    "ask_detail_perbaikan_data": "Tulis data apa yang salah dan yang benar. Contoh: tanggal lahir di KK "
                                 "12-03-1990, seharusnya 21-03-1990.",
    "detail_too_short": "Keterangan terlalu singkat, tulis minimal 10 huruf.",
    "ask_documents": "*Persyaratan {service_label}:*\n{documents}\n\n"
                     "Kirim foto/PDF dokumen di atas (boleh beberapa pesan). Ketik *selesai* jika sudah.",
    "documents_waiting": "Sudah {count} file kami terima. Kirim foto/PDF persyaratan, atau ketik *selesai* "
                         "jika sudah.",
    "documents_none": "Belum ada dokumen yang kami terima. Kirim minimal satu foto/PDF persyaratan, "
                      "lalu ketik *selesai*.",
    "media_kept": "Diterima, total {count} file. Kirim lagi atau ketik *selesai* jika sudah.",
    "media_refused_type": "File jenis {content_type} tidak bisa kami terima. Kirim foto (JPG/PNG/WebP) atau PDF.",
    "media_refused_size": "File terlalu besar (maksimal {limit_mb} MB). Kirim foto yang lebih kecil "
                          "atau PDF yang dipecah.",
    "media_refused_pixels": "Gambar terlalu besar (lebih dari {limit} megapiksel). Kirim foto biasa dari kamera "
                            "ponsel atau perkecil gambarnya.",
    "media_too_many": "Maksimal {limit} file per permohonan; file berikutnya tidak kami simpan. "
                      "Ketik *selesai* untuk lanjut.",
    "media_download_failed": "Maaf, file yang Anda kirim gagal kami terima. Mohon kirim ulang.",
    "confirm_request": "*Periksa data permohonan Anda:*\nLayanan: {service_label}\nNIK: {nik}\nNama: {name}\n"
                       "Kecamatan: {kecamatan}\n{detail}Dokumen: {files} file\n\n" + _CONFIRM,
    "confirm_request_detail": "Keterangan: {detail}\n",
    "confirm_prompt": _CONFIRM,
    "ticket_created": "Terima kasih. {service_label}: tiket Anda tercatat dengan nomor *{number}*.\n\n"
                      "Petugas akan memeriksa data dan dokumen Anda. Kabar selanjutnya kami kirim lewat "
                      "WhatsApp ini.\nCek status kapan saja dengan mengetik: status {number}",
    # A ticket the office sent back to the citizen for a missing document
    "waiting_reminder": "Permohonan *{number}* menunggu kelengkapan dari Anda:\n{reason}\n\n"
                        "Kirim foto/PDF-nya di sini. Ketik *status {number}* untuk melihat statusnya.",
    "waiting_received": "Terima kasih, {count} file untuk permohonan *{number}* sudah kami terima dan "
                        "diteruskan ke petugas.",
    # Milestones of the SOP (routing.definition.Milestone): one message per value, sent by bot.milestones
    "milestone_received": "Permohonan *{number}* ({service_label}) sudah kami terima dan akan segera diperiksa "
                          "petugas.",
    "milestone_verified": "Permohonan *{number}* ({service_label}) sudah diverifikasi dan sedang diproses. "
                          "Kami kabari lagi lewat WhatsApp ini.",
    "milestone_signed": "Dokumen untuk permohonan *{number}* ({service_label}) sudah ditandatangani dan segera "
                        "kami kirim ke WhatsApp ini.",
    "milestone_sent": "Dokumen untuk permohonan *{number}* ({service_label}) sudah kami kirim dalam bentuk PDF. "
                      "Dokumen cetaknya sedang disiapkan untuk dikirim ke UPT.",
    "milestone_ready": "Kabar permohonan *{number}* ({service_label}): {stage_label}. Bawa KTP-el atau KK "
                       "Anda (atau surat kuasa bila diwakilkan) saat mengambil.",
    "milestone_rejected": "Mohon maaf, permohonan *{number}* ({service_label}) tidak dapat kami proses.\n"
                          "Alasan: {reason}\n\n{reapply}",
    # How to apply again after a rejection, by the channel the request came in on.
    "reapply_whatsapp": "Anda bisa mengajukan lagi setelah melengkapi persyaratan: ketik *menu*.",
    "reapply_call-center": "Anda bisa mengajukan lagi setelah melengkapi persyaratan: ketik *menu*.",
    "reapply_pekon": "Anda bisa mengajukan lagi lewat kantor pekon setelah melengkapi persyaratan.",
    "milestone_waiting_citizen": "Permohonan *{number}* ({service_label}) memerlukan kelengkapan dari Anda:\n"
                                 "{reason}\n\nKirim foto/PDF-nya di sini; permohonan kami lanjutkan setelah "
                                 "kelengkapan diterima.",
    # A complaint's answer and the citizen's verdict (bot.complaint_verdict)
    "milestone_disposed": "Pengaduan *{number}* ({service_label}) sudah kami disposisikan: {destination}. "
                          "Jawabannya kami kirim ke WhatsApp ini.",
    "milestone_answered": "Jawaban atas pengaduan *{number}* ({service_label}):\n\n{answer}\n\n"
                          "Apakah masalah Anda sudah selesai? Balas *sudah* bila sudah, atau *belum* beserta "
                          "penjelasannya bila belum.",
    "milestone_dismissed": "Pengaduan *{number}* ({service_label}) kami tutup tanpa tindak lanjut.\n"
                           "Alasan: {reason}\n\nUntuk pengaduan atau permohonan lain, ketik *menu*.",
    "complaint_closed": "Terima kasih atas tanggapan Anda. Pengaduan *{number}* kami tutup sebagai selesai.",
    "complaint_reopened": "Terima kasih atas tanggapan Anda. Pengaduan *{number}* kami buka kembali dan kami "
                          "teruskan ke unit yang menanganinya; jawabannya kami kirim ke WhatsApp ini.",
    "complaint_closed_unanswered": "Pengaduan *{number}* kami tutup karena kami belum menerima tanggapan Anda "
                                   "dalam {days} hari kerja setelah jawaban dikirim. Bila masalahnya belum "
                                   "selesai, sampaikan pengaduan baru: ketik *menu*.",
    "complaint_escalated": "Terima kasih atas tanggapan Anda. Pengaduan *{number}* kami buka kembali dan kami "
                           "laporkan kepada Kepala Dinas; jawabannya kami kirim ke WhatsApp ini.",
    # Complaint ({categories}: the complaint SOP's categories, numbered)
    "ask_complaint_category": "Pilih kategori pengaduan Anda. Balas angka atau tulis kategorinya:\n{categories}",
    "complaint_category_which": "Kategori yang mana maksud Anda? Balas angkanya:\n{candidates}",
    "complaint_category_not_found": "Kategori tidak dikenali. Balas angka dari daftar ini:\n{categories}",
    "ask_complaint": "Tulis pengaduan Anda dalam satu pesan: apa yang terjadi, di mana, dan kapan.",
    "complaint_too_short": "Pengaduan terlalu singkat, tulis minimal 10 huruf.",
    "ask_complaint_kecamatan": "Di kecamatan mana hal ini terjadi? Ketik nama atau angkanya:\n" + _KECAMATAN_LIST,
    "ask_complaint_related": "Apakah pengaduan ini tentang permohonan yang sudah punya nomor tiket? Ketik nomor "
                             f"tiketnya, contoh: {TICKET_EXAMPLE}. Jika tidak ada, ketik *lewati*.",
    "complaint_related_invalid": f"Nomor tiket tidak dikenali. Contoh nomor yang benar: {TICKET_EXAMPLE}. "
                                 "Jika tidak ada, ketik *lewati*.",
    "ask_complaint_photos": "Ada foto atau dokumen pendukung? Kirim sekarang (foto/PDF), lalu ketik *selesai*. "
                            "Jika tidak ada, langsung ketik *selesai*.",
    "complaint_photos_waiting": "Sudah {count} file kami terima. Kirim foto/PDF lagi, atau ketik *selesai*.",
    "ask_complaint_confidential": "Apakah identitas Anda ingin dirahasiakan? (ya/tidak)\nJika ya, petugas yang "
                                  "menangani hanya melihat nama samaran; nama dan nomor Anda hanya dapat dilihat "
                                  "pimpinan Dinas dan pengawas pengaduan.",
    "complaint_confidential_unclear": "Balas *ya* bila identitas Anda ingin dirahasiakan, atau *tidak* bila "
                                      "tidak perlu.",
    "complaint_identity_hidden": "dirahasiakan",
    "complaint_identity_shown": "tidak dirahasiakan",
    "complaint_before_sending": "Sebelum pengaduan dikirim, mohon jawab dulu pertanyaan berikut.",
    "confirm_complaint": "*Periksa pengaduan Anda:*\nKategori: {category}\nIsi: {description}\n"
                         "Kecamatan: {kecamatan}\nNomor tiket terkait: {related}\nLampiran: {files} file\n"
                         "Identitas: {identity}\n\n" + _CONFIRM,
    "complaint_created": "Terima kasih. Pengaduan Anda tercatat dengan nomor *{number}*.\n\nTanggapan pertama "
                         "kami berikan paling lambat *{deadline}*, lewat WhatsApp ini.\nCek status kapan saja "
                         "dengan mengetik: status {number}",
    # After a call to the call center (bot.call_center): the caller sends the files on WhatsApp
    "call_followup": "Terima kasih telah menghubungi call center Disdukcapil Kabupaten Tanggamus. "
                     "Permohonan {service_label} Anda tercatat dengan nomor *{number}*.\n\n"
                     "*Kirim foto/PDF persyaratan berikut ke WhatsApp ini:*\n{documents}\n\n"
                     "Cek status kapan saja dengan mengetik: status {number}",
    # The approved template's text (TWILIO_CONTENT_SID_CALL_FOLLOWUP): {{1}} number, {{2}} service, {{3}} documents
    "call_followup_template": "Terima kasih telah menghubungi call center Disdukcapil Kabupaten Tanggamus. "
                              "Permohonan {service_label} Anda tercatat dengan nomor {number}. Mohon balas pesan "
                              "ini dengan foto/PDF persyaratan berikut: {documents}",
    "call_ticket_greeting": "Halo, pesan Anda kami hubungkan dengan tiket *{number}* ({service_label}) yang "
                            "dicatat petugas call center.\nKirim foto/PDF persyaratan berikut di sini:\n{documents}",
    "call_files_received": "Terima kasih, {count} file sudah kami lampirkan ke tiket *{number}*. Kirim lagi jika "
                           "masih ada; petugas akan memeriksanya.",
    "call_ticket_choose": "Ada beberapa tiket atas nomor ini yang menunggu berkas. Untuk tiket yang mana? "
                          "Balas dengan angka:",
    "call_ticket_choice_line": "{count}. {number} ({service_label})",
    "call_ticket_chosen": "Baik, pesan dan file Anda kami lampirkan ke tiket *{number}*.",
    # The signed PDF on WhatsApp (pdf_delivery.sending)
    "document_pdf": "Dokumen {service_label} untuk permohonan *{number}* sudah selesai dan ditandatangani "
                    "secara elektronik oleh Kepala Dinas. PDF-nya terlampir.\n\nJika PDF tidak terbuka, ketik: "
                    "kirim ulang {number}",
    # The approved template's text (TWILIO_CONTENT_SID_DOCUMENT_READY): {{1}} number, {{2}} service
    "document_ready_template": "Dokumen {service_label} untuk permohonan {number} sudah selesai. Balas pesan ini "
                               "(misalnya ketik: kirim) untuk menerima dokumen PDF-nya di WhatsApp.",
    "document_ready_reply": "Terima kasih. Dokumen PDF untuk permohonan *{number}* segera kami kirim.",
    "resend_ask": f"Ketik kirim ulang diikuti nomor tiket, contoh: kirim ulang {TICKET_EXAMPLE}",
    "resend_accepted": "Baik, dokumen PDF untuk permohonan *{number}* kami kirim ulang ke WhatsApp ini.",
    "resend_not_ready": "Dokumen untuk permohonan *{number}* belum selesai. Kami kirim ke WhatsApp ini begitu "
                        "selesai. Cek status dengan mengetik: status {number}",
    "resend_refused": "Maaf, permintaan kirim ulang {number} tidak dapat kami proses dari nomor WhatsApp ini. "
                      "Dokumen hanya dikirim ke nomor WhatsApp yang tercatat pada permohonan.",
    # Understanding messy messages (bot.understanding, bot.faq): clarifying questions, what the menu lacks,
    # media the bot cannot use, the FAQ's answers
    "kecamatan_which": "Kecamatan yang mana maksud Anda? Balas angkanya:\n{candidates}",
    "service_which": "Dokumen yang mana maksud Anda? Balas angkanya:\n{candidates}",
    "unsupported_marriage": "Akta perkawinan bagi yang beragama selain Islam diurus langsung di kantor Disdukcapil "
                            "Kabupaten Tanggamus; bawa surat perkawinan dari pemuka agama, KTP-el dan KK kedua "
                            "mempelai, serta pas foto berdampingan. Bagi yang beragama Islam, pernikahan dicatat di "
                            "KUA kecamatan.\nKetik *menu* untuk layanan lain.",
    "unsupported_divorce": "Akta perceraian bagi yang beragama selain Islam diurus di kantor Disdukcapil Kabupaten "
                           "Tanggamus dengan putusan pengadilan negeri yang sudah berkekuatan hukum tetap, KTP-el, KK "
                           "dan akta perkawinan. Bagi yang beragama Islam, akta cerai diterbitkan Pengadilan Agama.\n"
                           "Ketik *menu* untuk layanan lain.",
    "unsupported_legalisir": "Legalisir fotokopi KK, akta kelahiran atau akta lain dilayani langsung di kantor "
                             "Disdukcapil atau UPT kecamatan: bawa dokumen asli dan fotokopinya. Gratis.\n"
                             "Ketik *menu* untuk layanan lain.",
    "unsupported_certificate": "Surat keterangan domisili atau tidak mampu dibuat oleh kantor pekon/kelurahan. "
                               "Surat keterangan kependudukan dari Disdukcapil diurus langsung di kantor Dinas "
                               "dengan membawa KTP-el dan KK.\nKetik *menu* untuk layanan lain.",
    "unsupported_other": "Dokumen itu tidak diterbitkan Disdukcapil atau belum bisa diajukan lewat WhatsApp. "
                         "Ketik *bantuan* untuk bertanya kepada petugas, atau *menu* untuk layanan yang tersedia.",
    "english_note": "This service is in Indonesian (Bahasa Indonesia). Silakan tulis pesan dalam Bahasa "
                    "Indonesia.\n\n" + _MENU,
    "voice_not_supported": "Maaf, pesan suara belum bisa kami proses, mohon diketik.",
    "sticker_ignored": "Stiker tidak kami simpan sebagai dokumen.",
    "location_received": "Terima kasih, lokasi Anda kami terima, tetapi belum bisa kami gunakan. Mohon ketik "
                         "nama kecamatan atau jawaban Anda.",
    "faq_resume": "Untuk melanjutkan:",
    "faq_more": "Ketik *menu* untuk mengajukan permohonan atau pengaduan.",
    "open_now_yes": "Saat ini kantor sedang buka.",
    "open_now_no": "Saat ini kantor sedang tutup; buka lagi {deadline}.",
    "pickup_general": "Dokumen cetak diambil di UPT kecamatan Anda setelah ada kabar *siap diambil* lewat WhatsApp "
                      "ini. Ketik misalnya *ambil di Gisting* untuk alamat dan jam buka UPT kecamatan Anda.",
    "requirements_of": "*Persyaratan {service_label}:*\n{documents}",
    "pickup_at_upt": "Dokumen cetak diambil di *{upt_name}*, {address}.\nJam buka: {hours}\nBawa: {bring}",
    "requirements_general": "Ketik *syarat* diikuti nama dokumennya, contoh: syarat KTP, syarat akta kelahiran.",
    # Errors raised by the parsers, shown to the citizen as they are
    "nik_error_not_digits": "NIK hanya berisi angka.",
    "nik_error_length": "NIK harus 16 angka, yang Anda kirim {count} angka.",
    "nik_error_province": "Kode provinsi pada NIK ({code}) tidak dikenal. Periksa 2 angka pertama.",
    "nik_error_birth_date": "Tanggal lahir pada NIK (angka ke-7 s.d. 12: {digits}) tidak mungkin. "
                            "Periksa kembali NIK Anda.",
    "nik_error_serial": "Nomor urut pada NIK (4 angka terakhir) tidak boleh 0000.",
    "phone_invalid": "Nomor telepon tidak dikenali. Contoh yang benar: 0812 3456 7890.",
    "phone_not_mobile": "Nomor ini bukan nomor HP/WhatsApp. Gunakan nomor HP, contoh: 0812 3456 7890.",
    # Milestones to the end of the document chain (bot.milestones); {upt_name}, {address}, {hours}, {contact}
    # and {bring} come from the UPT directory an administrator keeps.
    "milestone_arrived": "Dokumen Anda sudah tiba di {upt_name}. Permohonan *{number}* ({service_label}) siap "
                         "diambil.\n\nAlamat: {address}\nJam buka: {hours}\nKontak: {contact}\nBawa: {bring}",
    "milestone_picked_up": "Dokumen permohonan *{number}* ({service_label}) sudah diambil. Bila bukan Anda atau "
                           "orang yang Anda kuasakan yang mengambilnya, segera ketik *bantuan* untuk menghubungi "
                           "petugas.",
    "milestone_completed": "Permohonan *{number}* ({service_label}) sudah selesai. Terima kasih telah menggunakan "
                           "layanan kami.",
    # The last paragraph of every milestone message: the public status page (the citizen types the 4 digits).
    "milestone_status_link": "Cek status tanpa WhatsApp: {url}\n(masukkan 4 angka terakhir nomor WhatsApp Anda)",
    # Approved templates' texts, for outside the 24-hour window (bot.milestones.MILESTONE_TEMPLATES numbers their
    # variables): TWILIO_CONTENT_SID_ARRIVED {{1}} number, {{2}} service, {{3}} UPT, {{4}} address, {{5}} hours,
    # {{6}} contact, {{7}} what to bring, {{8}} status page; _PICKED_UP and _COMPLETED {{1}} number, {{2}} service,
    # {{3}} status page.
    "milestone_arrived_template": "Dokumen Anda sudah tiba di {upt_name}. Permohonan {number} ({service_label}) "
                                  "siap diambil. Alamat: {address}. Jam buka: {hours}. Kontak: {contact}. "
                                  "Bawa: {bring}. Cek status: {url}",
    "milestone_picked_up_template": "Dokumen permohonan {number} ({service_label}) sudah diambil. Bila bukan Anda "
                                    "atau orang yang Anda kuasakan yang mengambilnya, segera balas pesan ini dengan "
                                    "kata bantuan. Cek status: {url}",
    "milestone_completed_template": "Permohonan {number} ({service_label}) sudah selesai. Terima kasih telah "
                                    "menggunakan layanan kami. Cek status: {url}",
    # A person who answers (bot.pending_replies, bot.office_hours). The approved template inviting the citizen
    # back when a staff reply waits outside the 24-hour window (TWILIO_CONTENT_SID_REPLY_INVITE): {{1}} ticket
    # number, or "-" for a reply from the help desk.
    "reply_invite_template": "Ada pesan dari petugas Disdukcapil Tanggamus untuk Anda (tiket {number}). Balas "
                             "pesan ini dengan kata apa saja untuk membacanya.",
    # Added to every reply that promises a person while the office is closed ({when}: Senin, 7 Desember 2026
    # pukul 08.00 WIB, from the working calendar).
    "office_closed": "Kantor sedang tutup. Kantor buka kembali {when}; petugas membalas setelah itu.",
    # The satisfaction survey (SKM, PermenPANRB 14/2017; bot.survey): the nine elements, each answered 1-4,
    # then an optional suggestion. {number} is the ticket's.
    "skm_invite": "Bantu kami memperbaiki layanan: isi *Survei Kepuasan Masyarakat* untuk {number}, 9 pertanyaan "
                  "singkat. Jawab dengan angka 1-4 atau kata (4 sangat baik, 3 baik, 2 kurang, 1 tidak baik). "
                  "Ketik *lewati* bila tidak ingin mengisi.",
    "skm_question": "Pertanyaan {position} dari 9: {question}\n4 sangat baik · 3 baik · 2 kurang · 1 tidak baik",
    "skm_q_persyaratan": "Bagaimana kesesuaian *persyaratan* pelayanan dengan jenis layanannya?",
    "skm_q_prosedur": "Bagaimana kemudahan *prosedur* pelayanan?",
    "skm_q_waktu": "Bagaimana kecepatan *waktu* pelayanan?",
    "skm_q_biaya": "Bagaimana kewajaran *biaya/tarif* pelayanan? (layanan Disdukcapil gratis: jawab 4 bila Anda "
                   "tidak dipungut biaya)",
    "skm_q_produk": "Bagaimana kesesuaian *hasil pelayanan* (dokumen atau jawaban) dengan yang dijanjikan?",
    "skm_q_kompetensi": "Bagaimana *kemampuan petugas* dalam melayani?",
    "skm_q_perilaku": "Bagaimana *kesopanan dan keramahan* petugas?",
    "skm_q_pengaduan": "Bagaimana *penanganan pengaduan, saran dan masukan* di layanan kami?",
    "skm_q_sarana": "Bagaimana *sarana dan prasarana* layanan (WhatsApp ini, kantor, UPT)?",
    "skm_not_understood": "Maaf, jawab dengan angka 1-4 (4 sangat baik, 3 baik, 2 kurang, 1 tidak baik), atau "
                          "ketik *lewati*.",
    "skm_ask_suggestion": "Terakhir: ada saran atau masukan untuk kami? Tulis saja, atau ketik *tidak ada*.",
    "skm_thanks": "Terima kasih, survei untuk {number} sudah kami terima. Penilaian Anda membantu kami memperbaiki "
                  "layanan.",
    "skm_skipped": "Baik, survei dilewati. Ketik *survei* bila nanti ingin mengisinya.",
    "skm_already_done": "Terima kasih, survei untuk {number} sudah Anda isi sebelumnya; satu tiket cukup satu "
                        "survei.",
    "skm_none": "Belum ada survei yang bisa diisi dari nomor ini. Survei dikirim setelah dokumen Anda diambil atau "
                "pengaduan Anda selesai.",
    # The privacy notice (UU 27/2022 PDP; bot.consent), shown at a number's first message and again for each new
    # version (PRIVACY_NOTICE_VERSION below); continuing the conversation after it counts as acceptance.
    "privacy_notice": "*Pemberitahuan Privasi* (versi {version})\n"
                      "Kami mencatat nomor WhatsApp, pesan, NIK, nama, kecamatan dan foto/PDF yang Anda kirim, "
                      "hanya untuk memproses layanan Anda dan memberi kabar lewat WhatsApp ini. Data dilihat "
                      "petugas Disdukcapil yang menangani layanan Anda (NIK disamarkan bagi petugas lain) dan "
                      "{kept}.\n"
                      "Ketik *privasi* untuk membaca ini lagi, *status* untuk data tiket Anda, *hapus data* untuk "
                      "meminta penghapusan.\n"
                      "Dengan melanjutkan percakapan, Anda menyetujuinya (UU 27/2022).",
    "privacy_kept_days": "dihapus {days} hari setelah tiket selesai",
    "privacy_kept_always": "disimpan selama diperlukan untuk layanan",
    "deletion_opened": "Permintaan hapus data untuk nomor ini sudah kami catat (nomor permintaan {number}). "
                       "Petugas akan memeriksanya dan mengabari Anda lewat WhatsApp ini. Data tiket yang masih "
                       "diproses baru dapat dihapus setelah tiketnya selesai.",
    "deletion_already_open": "Permintaan hapus data Anda (nomor {number}) masih diperiksa petugas. Kami kabari lewat "
                             "WhatsApp ini.",
    "deletion_approved": "Permintaan hapus data {number} disetujui. Berkas, foto dan isi pesan dari {tickets} tiket "
                         "Anda yang sudah selesai telah dihapus; yang tersisa hanya angka statistik tanpa isi. Tiket "
                         "yang masih diproses tidak termasuk.",
    "deletion_refused": "Permintaan hapus data {number} tidak dapat kami kabulkan. Alasan: {reason}\nKetik *bantuan* "
                        "bila ingin bertanya kepada petugas.",
}

# The privacy notice's version: raise it whenever "privacy_notice" changes in substance, so every number is shown
# the new text once more and accepts it again.
PRIVACY_NOTICE_VERSION = "2026-12"

PARAMS: dict[str, frozenset[str]] = {
    key: frozenset(field for _, field, _, _ in Formatter().parse(template) if field)
    for key, template in MESSAGES.items()
}


def render(key: str, **params: object) -> str:
    """The citizen's text for this key; KeyError on an unknown key, TypeError on missing or extra params."""
    template = MESSAGES[key]
    expected = PARAMS[key]
    if set(params) != expected:
        raise TypeError(f"message {key!r} takes {sorted(expected)}, got {sorted(params)}")
    return template.format(**params)


def format_documents(service: Service) -> str:
    """The service's required documents as a bulleted list for 'ask_documents'."""
    return "\n".join(f"- {line}" for line in required_documents(service))
