"""Periodic jobs, declared as data for `rq cron` (the Procfile's clock process)."""

from rq import cron

from bot.complaint_verdict import close_unanswered_job
from bot.simulator import sweep_simulator_uploads
from bot.staff_digest import send_daily_digests
from layanan.outbox import sweep_job
from tickets.retention import purge_job
from tickets.sla_jobs import mark_overdue

cron.register(mark_overdue, queue_name="default", interval=300, name="mark-overdue")
cron.register(close_unanswered_job, queue_name="default", interval=300, name="close-unanswered-complaints")
# Every 15 s: a job a killed worker took is enqueued again 30-45 s later (outbox.LOST_AFTER plus this),
# not up to 90 s; a sweep that finds nothing costs two indexed queries and one Redis round trip.
cron.register(sweep_job, queue_name="default", interval=15, name="sweep-deferred-jobs")
# Each staff member's digest at the WIB time they chose; one key per account per day keeps it to one.
cron.register(send_daily_digests, queue_name="default", interval=60, name="staff-daily-digest")
cron.register(sweep_simulator_uploads, queue_name="default", interval=600, name="sweep-simulator-uploads")
# Nightly at 02.15 (the clock process's local time), outside office hours.
cron.register(purge_job, queue_name="default", cron="15 2 * * *", job_timeout=3600, name="purge-retention")
