"""Call-center intake: logged calls become tickets that the caller's WhatsApp joins (SOP steps 1-2).

- `/call-center/` (the roles with the SOP duty `take_calls`): the call-logging screen. Outcome
  "perlu kirim berkas lewat WhatsApp" opens a ticket in the first stage of the workflow serving the
  call-center channel and, after the commit, a job sends the caller the ticket number and the
  documents to send: free-form inside WhatsApp's 24-hour window, otherwise the approved template
  `TWILIO_CONTENT_SID_CALL_FOLLOWUP` with the variables {{1}} ticket number, {{2}} service, {{3}}
  documents (one line; its text is the catalogue's `call_followup_template`). A complaint opens a `pengaduan` ticket with the agent's notes.
- When that number writes on WhatsApp outside a bot conversation, `whatsapp.receive` attaches the
  message and its files to the open ticket (asking which one when there are several).
- `/call-center/rekaman` (`take_calls` roles and `admin`): import of Asterisk's Master.csv
  (`loguniqueid=yes`; times in CALL_CDR_TIMEZONE, "UTC" with `usegmtime=yes`), matched to logged
  calls by number and time; answered calls nobody logged are listed for the agents to complete.
- `/call-center/statistik` (the roles with the duty `supervise`, and `admin`).
- JSON API with a bearer token (`flask create-api-token`): `POST /api/calls` with `phone`,
  `caller_name`, `nik`, `kecamatan` (code or name), `topic` (a service value, `pengaduan` or `umum`),
  `notes`, `outcome` (`answered`, `needs-files`, `complaint`, `transferred`), optional `called_at`
  (ISO 8601 with zone), `idempotency_key` and `agent` (the username of an account with the
  `take_calls` duty); answers 201 with the call, 200 for a key seen before, 422 with errors per
  field. `GET /api/calls/<id>`.
"""
