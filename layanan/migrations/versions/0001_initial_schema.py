"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-23
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import tickets.types


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('api_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('revoked', sa.Boolean(), nullable=False),
    sa.Column('created_at', tickets.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', tickets.types.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash')
    )
    op.create_table('applicant',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('nik', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
    sa.Column('phone', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('created_at', tickets.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('applicant', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_applicant_nik'), ['nik'], unique=False)
        batch_op.create_index(batch_op.f('ix_applicant_phone'), ['phone'], unique=False)

    op.create_table('conversation',
    sa.Column('phone', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('misses', sa.Integer(), nullable=False),
    sa.Column('needs_human', sa.Boolean(), nullable=False),
    sa.Column('updated_at', tickets.types.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('phone')
    )
    with op.batch_alter_table('conversation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_conversation_needs_human'), ['needs_human'], unique=False)

    op.create_table('deferred_job',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job_id', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('func', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('args', sa.JSON(), nullable=False),
    sa.Column('queue_name', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('retry_intervals', sa.JSON(), nullable=False),
    sa.Column('on_failure', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('created_at', tickets.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('enqueued_at', tickets.types.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('job_id')
    )
    with op.batch_alter_table('deferred_job', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deferred_job_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_deferred_job_enqueued_at'), ['enqueued_at'], unique=False)

    op.create_table('kecamatan',
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.PrimaryKeyConstraint('code'),
    sa.UniqueConstraint('name')
    )
    op.create_table('number_sequence',
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('name', 'year')
    )
    op.create_table('staffuser',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('full_name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('nip', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=True),
    sa.Column('password_hash', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('roles', sa.JSON(), nullable=False),
    sa.Column('kecamatan_code', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', tickets.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['kecamatan_code'], ['kecamatan.code'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('username')
    )
    op.create_table('berita_acara',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('kecamatan_code', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('document_date', sa.Date(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', tickets.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('signed_by_id', sa.Integer(), nullable=True),
    sa.Column('signed_at', tickets.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('signed_pdf', sa.LargeBinary(), nullable=True),
    sa.Column('courier_id', sa.Integer(), nullable=True),
    sa.Column('dispatched_at', tickets.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('delivered_at', tickets.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('received_by_id', sa.Integer(), nullable=True),
    sa.Column('received_at', tickets.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('receipt_note', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('updated_at', tickets.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['courier_id'], ['staffuser.id'], ),
    sa.ForeignKeyConstraint(['created_by_id'], ['staffuser.id'], ),
    sa.ForeignKeyConstraint(['kecamatan_code'], ['kecamatan.code'], ),
    sa.ForeignKeyConstraint(['received_by_id'], ['staffuser.id'], ),
    sa.ForeignKeyConstraint(['signed_by_id'], ['staffuser.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('number'),
    sa.UniqueConstraint('year', 'seq', name='uq_berita_acara_year_seq')
    )
    with op.batch_alter_table('berita_acara', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_berita_acara_kecamatan_code'), ['kecamatan_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_berita_acara_status'), ['status'], unique=False)

    op.create_table('ticket',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('service', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('workflow', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('stage', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('applicant_id', sa.Integer(), nullable=False),
    sa.Column('kecamatan_code', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('registration_number', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('claimed_by_id', sa.Integer(), nullable=True),
    sa.Column('return_stage', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True),
    sa.Column('outputs', sa.JSON(), nullable=False),
    sa.Column('stage_entered_at', tickets.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sla_started_at', tickets.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('sla_paused_seconds', sa.Integer(), nullable=False),
    sa.Column('due_at', tickets.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('overdue', sa.Boolean(), nullable=False),
    sa.Column('created_at', tickets.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', tickets.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['applicant_id'], ['applicant.id'], ),
    sa.ForeignKeyConstraint(['claimed_by_id'], ['staffuser.id'], ),
    sa.ForeignKeyConstraint(['kecamatan_code'], ['kecamatan.code'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('number'),
    sa.UniqueConstraint('registration_number'),
    sa.UniqueConstraint('year', 'seq', name='uq_ticket_year_seq')
    )
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ticket_applicant_id'), ['applicant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ticket_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_ticket_due_at'), ['due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_ticket_kecamatan_code'), ['kecamatan_code'], unique=False)
        batch_op.create_index('ix_ticket_queue_order', ['stage', 'due_at', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ticket_service'), ['service'], unique=False)
        batch_op.create_index(batch_op.f('ix_ticket_stage'), ['stage'], unique=False)

    op.create_table('berita_acara_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('berita_acara_id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('ticket_number', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('applicant_name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('service', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('nik_masked', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('received', sa.Boolean(), nullable=True),
    sa.Column('missing_note', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.ForeignKeyConstraint(['berita_acara_id'], ['berita_acara.id'], ),
    sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('berita_acara_id', 'position', name='uq_berita_acara_item_position'),
    sa.UniqueConstraint('ticket_id')
    )
    with op.batch_alter_table('berita_acara_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_berita_acara_item_berita_acara_id'), ['berita_acara_id'], unique=False)

    op.create_table('call_ticket_choice',
    sa.Column('phone', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=True),
    sa.Column('asked_at', tickets.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], ),
    sa.PrimaryKeyConstraint('phone')
    )
    op.create_table('issued_document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('document_type', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('original_path', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('original_sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('original_size', sa.Integer(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', tickets.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('signed_path', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('signed_sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('signed_at', tickets.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('signed_by_id', sa.Integer(), nullable=True),
    sa.Column('verification_code', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.ForeignKeyConstraint(['signed_by_id'], ['staffuser.id'], ),
    sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], ),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['staffuser.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('verification_code')
    )
    with op.batch_alter_table('issued_document', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_issued_document_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_issued_document_ticket_id'), ['ticket_id'], unique=False)

    op.create_table('message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('direction', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('twilio_sid', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('idempotency_key', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
    sa.Column('phone', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=True),
    sa.Column('body', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('content_sid', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('num_media', sa.Integer(), nullable=False),
    sa.Column('profile_name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('error_code', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
    sa.Column('reply', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('created_at', tickets.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', tickets.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('idempotency_key'),
    sa.UniqueConstraint('twilio_sid')
    )
    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_message_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_message_phone'), ['phone'], unique=False)
        batch_op.create_index(batch_op.f('ix_message_ticket_id'), ['ticket_id'], unique=False)

    op.create_table('staff_notification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=True),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('created_at', tickets.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('read_at', tickets.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('staff_notification', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_notification_role'), ['role'], unique=False)
        batch_op.create_index(batch_op.f('ix_staff_notification_ticket_id'), ['ticket_id'], unique=False)

    op.create_table('stage_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('from_stage', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True),
    sa.Column('to_stage', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_role', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('created_at', tickets.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['staffuser.id'], ),
    sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('stage_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stage_event_ticket_id'), ['ticket_id'], unique=False)

    op.create_table('attachment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=False),
    sa.Column('media_index', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=True),
    sa.Column('draft_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('source_url', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('declared_type', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('content_type', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('size', sa.Integer(), nullable=True),
    sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('storage_path', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('job_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('created_at', tickets.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['message_id'], ['message.id'], ),
    sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('message_id', 'media_index', name='uq_attachment_media')
    )
    with op.batch_alter_table('attachment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attachment_draft_id'), ['draft_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attachment_message_id'), ['message_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attachment_sha256'), ['sha256'], unique=False)
        batch_op.create_index(batch_op.f('ix_attachment_ticket_id'), ['ticket_id'], unique=False)

    op.create_table('call_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=True),
    sa.Column('api_token_id', sa.Integer(), nullable=True),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('phone', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('caller_name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
    sa.Column('nik', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('kecamatan_code', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('topic', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('notes', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('outcome', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=True),
    sa.Column('followup_message_id', sa.Integer(), nullable=True),
    sa.Column('followup_problem', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('client_key', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
    sa.Column('called_at', tickets.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_at', tickets.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agent_id'], ['staffuser.id'], ),
    sa.ForeignKeyConstraint(['api_token_id'], ['api_token.id'], ),
    sa.ForeignKeyConstraint(['followup_message_id'], ['message.id'], ),
    sa.ForeignKeyConstraint(['kecamatan_code'], ['kecamatan.code'], ),
    sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('client_key')
    )
    with op.batch_alter_table('call_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_call_log_agent_id'), ['agent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_call_log_called_at'), ['called_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_call_log_outcome'), ['outcome'], unique=False)
        batch_op.create_index(batch_op.f('ix_call_log_phone'), ['phone'], unique=False)
        batch_op.create_index(batch_op.f('ix_call_log_ticket_id'), ['ticket_id'], unique=False)

    op.create_table('pdf_delivery',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('phone', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('active_ticket_id', sa.Integer(), nullable=True),
    sa.Column('rounds', sa.Integer(), nullable=False),
    sa.Column('tries', sa.Integer(), nullable=False),
    sa.Column('pending_key', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
    sa.Column('template_required', sa.Boolean(), nullable=False),
    sa.Column('template_message_id', sa.Integer(), nullable=True),
    sa.Column('message_id', sa.Integer(), nullable=True),
    sa.Column('error_code', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
    sa.Column('problem', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.Column('needs_operator', sa.Boolean(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', tickets.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', tickets.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sent_at', tickets.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('delivered_at', tickets.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['document_id'], ['issued_document.id'], ),
    sa.ForeignKeyConstraint(['message_id'], ['message.id'], ),
    sa.ForeignKeyConstraint(['requested_by_id'], ['staffuser.id'], ),
    sa.ForeignKeyConstraint(['template_message_id'], ['message.id'], ),
    sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('active_ticket_id')
    )
    with op.batch_alter_table('pdf_delivery', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pdf_delivery_document_id'), ['document_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pdf_delivery_message_id'), ['message_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pdf_delivery_needs_operator'), ['needs_operator'], unique=False)
        batch_op.create_index(batch_op.f('ix_pdf_delivery_phone'), ['phone'], unique=False)
        batch_op.create_index(batch_op.f('ix_pdf_delivery_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_pdf_delivery_ticket_id'), ['ticket_id'], unique=False)

    op.create_table('call_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uniqueid', sqlmodel.sql.sqltypes.AutoString(length=150), nullable=False),
    sa.Column('source_number', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('phone', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
    sa.Column('destination', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('caller_id', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('started_at', tickets.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('answered_at', tickets.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('ended_at', tickets.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('duration', sa.Integer(), nullable=False),
    sa.Column('billsec', sa.Integer(), nullable=False),
    sa.Column('disposition', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('call_log_id', sa.Integer(), nullable=True),
    sa.Column('imported_by_id', sa.Integer(), nullable=True),
    sa.Column('imported_at', tickets.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['call_log_id'], ['call_log.id'], ),
    sa.ForeignKeyConstraint(['imported_by_id'], ['staffuser.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('call_log_id'),
    sa.UniqueConstraint('uniqueid')
    )
    with op.batch_alter_table('call_record', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_call_record_disposition'), ['disposition'], unique=False)
        batch_op.create_index(batch_op.f('ix_call_record_phone'), ['phone'], unique=False)
        batch_op.create_index(batch_op.f('ix_call_record_started_at'), ['started_at'], unique=False)

    op.create_table('download_link',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('delivery_id', sa.Integer(), nullable=True),
    sa.Column('expires_at', tickets.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('fetch_count', sa.Integer(), nullable=False),
    sa.Column('last_fetched_at', tickets.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', tickets.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['delivery_id'], ['pdf_delivery.id'], ),
    sa.ForeignKeyConstraint(['document_id'], ['issued_document.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_sha256')
    )
    with op.batch_alter_table('download_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_download_link_delivery_id'), ['delivery_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_download_link_document_id'), ['document_id'], unique=False)
    _seed_kecamatan()


def _seed_kecamatan() -> None:
    """Reference data: the 20 kecamatan of Tanggamus, as they stand in this revision."""
    table = sa.table("kecamatan", sa.column("code", sa.String), sa.column("name", sa.String))
    op.bulk_insert(table, [{"code": code, "name": name} for code, name in KECAMATAN_2026])


KECAMATAN_2026 = [
    ("180626", "Air Naningan"), ("180625", "Bandar Negeri Semuong"), ("180627", "Bulok"),
    ("180609", "Cukuh Balak"), ("180620", "Gisting"), ("180621", "Gunung Alip"), ("180617", "Kelumbayan"),
    ("180628", "Kelumbayan Barat"), ("180601", "Kota Agung"), ("180618", "Kota Agung Barat"),
    ("180619", "Kota Agung Timur"), ("180624", "Limau"), ("180616", "Pematang Sawa"), ("180611", "Pugung"),
    ("180604", "Pulau Panggung"), ("180612", "Semaka"), ("180613", "Sumberejo"), ("180602", "Talang Padang"),
    ("180615", "Ulu Belu"), ("180603", "Wonosobo"),
]


def downgrade() -> None:
    with op.batch_alter_table('download_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_download_link_document_id'))
        batch_op.drop_index(batch_op.f('ix_download_link_delivery_id'))

    op.drop_table('download_link')
    with op.batch_alter_table('call_record', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_call_record_started_at'))
        batch_op.drop_index(batch_op.f('ix_call_record_phone'))
        batch_op.drop_index(batch_op.f('ix_call_record_disposition'))

    op.drop_table('call_record')
    with op.batch_alter_table('pdf_delivery', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pdf_delivery_ticket_id'))
        batch_op.drop_index(batch_op.f('ix_pdf_delivery_state'))
        batch_op.drop_index(batch_op.f('ix_pdf_delivery_phone'))
        batch_op.drop_index(batch_op.f('ix_pdf_delivery_needs_operator'))
        batch_op.drop_index(batch_op.f('ix_pdf_delivery_message_id'))
        batch_op.drop_index(batch_op.f('ix_pdf_delivery_document_id'))

    op.drop_table('pdf_delivery')
    with op.batch_alter_table('call_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_call_log_ticket_id'))
        batch_op.drop_index(batch_op.f('ix_call_log_phone'))
        batch_op.drop_index(batch_op.f('ix_call_log_outcome'))
        batch_op.drop_index(batch_op.f('ix_call_log_called_at'))
        batch_op.drop_index(batch_op.f('ix_call_log_agent_id'))

    op.drop_table('call_log')
    with op.batch_alter_table('attachment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attachment_ticket_id'))
        batch_op.drop_index(batch_op.f('ix_attachment_sha256'))
        batch_op.drop_index(batch_op.f('ix_attachment_message_id'))
        batch_op.drop_index(batch_op.f('ix_attachment_draft_id'))

    op.drop_table('attachment')
    with op.batch_alter_table('stage_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stage_event_ticket_id'))

    op.drop_table('stage_event')
    with op.batch_alter_table('staff_notification', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_notification_ticket_id'))
        batch_op.drop_index(batch_op.f('ix_staff_notification_role'))

    op.drop_table('staff_notification')
    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_message_ticket_id'))
        batch_op.drop_index(batch_op.f('ix_message_phone'))
        batch_op.drop_index(batch_op.f('ix_message_created_at'))

    op.drop_table('message')
    with op.batch_alter_table('issued_document', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_issued_document_ticket_id'))
        batch_op.drop_index(batch_op.f('ix_issued_document_status'))

    op.drop_table('issued_document')
    op.drop_table('call_ticket_choice')
    with op.batch_alter_table('berita_acara_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_berita_acara_item_berita_acara_id'))

    op.drop_table('berita_acara_item')
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ticket_stage'))
        batch_op.drop_index(batch_op.f('ix_ticket_service'))
        batch_op.drop_index('ix_ticket_queue_order')
        batch_op.drop_index(batch_op.f('ix_ticket_kecamatan_code'))
        batch_op.drop_index(batch_op.f('ix_ticket_due_at'))
        batch_op.drop_index(batch_op.f('ix_ticket_created_at'))
        batch_op.drop_index(batch_op.f('ix_ticket_applicant_id'))

    op.drop_table('ticket')
    with op.batch_alter_table('berita_acara', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_berita_acara_status'))
        batch_op.drop_index(batch_op.f('ix_berita_acara_kecamatan_code'))

    op.drop_table('berita_acara')
    op.drop_table('staffuser')
    op.drop_table('number_sequence')
    op.drop_table('kecamatan')
    with op.batch_alter_table('deferred_job', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deferred_job_enqueued_at'))
        batch_op.drop_index(batch_op.f('ix_deferred_job_created_at'))

    op.drop_table('deferred_job')
    with op.batch_alter_table('conversation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_conversation_needs_human'))

    op.drop_table('conversation')
    with op.batch_alter_table('applicant', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_applicant_phone'))
        batch_op.drop_index(batch_op.f('ix_applicant_nik'))

    op.drop_table('applicant')
    op.drop_table('api_token')
