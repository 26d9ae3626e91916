# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""WhatsApp messages, their conversation per customer and the outbox.

A message is sent at most once: it gets an idempotency key when created
(sent along as ``biz_opaque_callback_data``), and the outbox claims it
(``queued`` -> ``sending``) in a committed transaction before the HTTP call,
so a retried task, a second worker or a crash never posts it twice.  An
answer lost on the way (read timeout) leaves it ``sending`` and
unconfirmed: a status event carrying the key confirms it, or it fails after
a while with the reason, but it is never resent automatically.
"""
import datetime as dt
import gc
import json
import logging
import mimetypes
import os
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

from sql import Cast, Literal, Null
from sql.aggregate import Max
from sql.conditionals import Case
from sql.functions import CurrentTimestamp, Function
from sql.operators import Concat

import trytond.config as config
from trytond import backend
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Unique, fields
from trytond.model.exceptions import ValidationError
from trytond.pool import Pool
from trytond.protocols.jsonrpc import JSONDecoder
from trytond.pyson import Eval
from trytond.tools import grouped_slice
from trytond.transaction import Transaction, without_check_access

from jewel_crm import phone
from jewel_crm.company_field import TenantMixin, tenant_company_field

from .client import CloudAPIClient, CloudAPIError, Throttle, new_session
from jewel_crm.bounds import bounded

logger = logging.getLogger(__name__)

STATUSES = [
    ('scheduled', "Scheduled"),
    ('queued', "Queued"),
    ('sending', "Sending"),
    ('sent', "Sent"),
    ('delivered', "Delivered"),
    ('read', "Read"),
    ('failed', "Failed"),
    ('received', "Received"),
    ]
# A status only ever moves up this order (events arrive out of order)
STATUS_RANK = {'scheduled': -1, 'queued': 0, 'sending': 1, 'sent': 2,
    'failed': 3, 'delivered': 4, 'read': 5, 'received': 6}
TERMINAL = {'sent', 'delivered', 'read', 'failed', 'received'}
TYPES = [
    ('text', "Text"),
    ('template', "Template"),
    ('document', "Document"),
    ('image', "Image"),
    ('button', "Button Reply"),
    ('other', "Other"),
    ]
SERVICE_WINDOW = dt.timedelta(hours=24)
# Threads posting messages, shared by the tasks of a process; the pace per
# phone number (client.Throttle) keeps them under the account's rate
SEND_THREADS = 16
BATCH_SIZE = 200
# A message claimed that long ago without an answer is failed, not resent
UNCONFIRMED_AFTER = dt.timedelta(minutes=15)


def wa_id(e164):
    "The Cloud API's form of a number: digits only"
    return ''.join(c for c in e164 or '' if c.isdigit())


class Conversation(TenantMixin, ModelSQL, ModelView):
    "WhatsApp Conversation"
    __name__ = 'jewel.whatsapp.conversation'
    company = tenant_company_field(required=True)
    party = fields.Many2One('party.party', "Customer", required=True,
        ondelete='CASCADE', domain=[('company', '=', Eval('company', -1))],
        context={'company': Eval('company', -1)}, depends={'company'})
    last_inbound_at = fields.DateTime("Last Message from Customer",
        readonly=True)
    window_open = fields.Function(fields.Boolean("Service Window Open",
            help="Free text may be sent for 24 hours after the customer's "
            "last message."), 'get_window_open')
    messages = fields.One2Many(
        'jewel.whatsapp.message', 'conversation', "Messages", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('party_unique', Unique(t, t.party),
                'jewel_whatsapp.msg_conversation_party_unique'),
            ]
        cls._order.insert(0, ('last_inbound_at', 'DESC NULLS LAST'))

    def get_rec_name(self, name):
        return self.party.rec_name

    @classmethod
    def search_rec_name(cls, name, clause):
        return [('party.rec_name',) + tuple(clause[1:])]

    def get_window_open(self, name):
        return bool(self.last_inbound_at
            and dt.datetime.now() - self.last_inbound_at < SERVICE_WINDOW)

    @classmethod
    def of_party(cls, party):
        "The conversation of party, created on first use"
        conversations = cls.search([('party', '=', party.id)], limit=1)
        if conversations:
            return conversations[0]
        conversation, = cls.create([{
                    'party': party.id, 'company': party.company.id}])
        return conversation

    @classmethod
    def ensure(cls, party_ids, company_id):
        "{party id: conversation id}, creating the missing ones in bulk"
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        result = {}
        for sub_ids in grouped_slice(party_ids, 1000):
            sub_ids = list(sub_ids)
            cursor.execute(*table.select(table.party, table.id,
                    where=table.party.in_(sub_ids)))
            result.update(cursor)
        missing = sorted({p for p in party_ids if p not in result})
        user = Transaction().user
        for chunk in grouped_slice(missing, 1000):
            cursor.execute(*table.insert(
                    [table.party, table.company, table.create_uid,
                        table.create_date],
                    [[p, company_id, user, CurrentTimestamp()]
                        for p in chunk]))
        for sub_ids in grouped_slice(missing, 1000):
            cursor.execute(*table.select(table.party, table.id,
                    where=table.party.in_(list(sub_ids))))
            result.update(cursor)
        return result

    @classmethod
    def ensure_query(cls, parties, company_id):
        """Create the missing conversations of parties (a query with a
        party column, each party once) in one INSERT ... SELECT"""
        table = cls.__table__()
        existing = cls.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.insert(
                [table.party, table.company, table.create_uid,
                    table.create_date],
                parties.select(parties.party, Literal(company_id),
                    Literal(Transaction().user), CurrentTimestamp(),
                    where=~parties.party.in_(
                        existing.select(existing.party)))))


class Message(TenantMixin, ModelSQL, ModelView):
    "WhatsApp Message"
    __name__ = 'jewel.whatsapp.message'
    _states = {'readonly': Eval('id', -1) >= 0}
    company = tenant_company_field(required=True)
    account = fields.Many2One('jewel.whatsapp.account', "Account",
        required=True, ondelete='RESTRICT', states=_states,
        domain=[('company', '=', Eval('company', -1))])
    conversation = fields.Many2One('jewel.whatsapp.conversation',
        "Conversation", required=True, ondelete='CASCADE', readonly=True,
        domain=[('company', '=', Eval('company', -1))])
    party = fields.Many2One('party.party', "Customer", required=True,
        ondelete='CASCADE', states=_states,
        domain=[('company', '=', Eval('company', -1))],
        context={'company': Eval('company', -1)}, depends={'company'})
    phone = fields.Char("Phone", readonly=True, help="E.164")
    direction = fields.Selection([('out', "Outgoing"), ('in', "Incoming")],
        "Direction", required=True, readonly=True)
    type = fields.Selection(TYPES, "Type", required=True, states=_states)
    body = fields.Text("Text", states=_states)
    template = fields.Many2One('jewel.whatsapp.template', "Template",
        ondelete='RESTRICT', states=_states,
        domain=[('account', '=', Eval('account', -1))])
    parameters = fields.Dict(None, "Parameters", readonly=True)
    media = fields.Binary("File", filename='media_name', states=_states)
    media_name = fields.Char("File Name", states=_states)
    media_type = fields.Char("MIME Type", states=_states)
    media_id = fields.Char("Media ID", readonly=True)
    status = fields.Selection(STATUSES, "Status", required=True,
        readonly=True, sort=False)
    wamid = fields.Char("WhatsApp Message ID", readonly=True)
    idempotency_key = fields.Char("Idempotency Key", readonly=True)
    attempts = fields.Integer("Attempts", readonly=True,
        domain=bounded('attempts', at_least=0))
    unconfirmed = fields.Boolean("Unconfirmed", readonly=True,
        help="Posted without an answer: waiting for WhatsApp's status.")
    error_code = fields.Char("Error Code", readonly=True)
    error_reason = fields.Text("Reason", readonly=True)
    last_attempt_at = fields.DateTime("Last Attempt", readonly=True)
    sent_at = fields.DateTime("Sent", readonly=True)
    delivered_at = fields.DateTime("Delivered", readonly=True)
    read_at = fields.DateTime("Read", readonly=True)
    received_at = fields.DateTime("Received", readonly=True)
    campaign = fields.Many2One('jewel.whatsapp.campaign', "Campaign",
        ondelete='CASCADE', readonly=True,
        domain=[('company', '=', Eval('company', -1))])
    send_on = fields.Date("Send On", readonly=True,
        help="A scheduled message (a greeting) is sent on this day.")
    reminder = fields.Many2One('jewel.reminder', "Reminder",
        ondelete='SET NULL', readonly=True,
        domain=[('company', '=', Eval('company', -1))])
    attachments = fields.One2Many('ir.attachment', 'resource', "Files",
        readonly=True)
    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('idempotency_key_unique', Unique(t, t.idempotency_key),
                'jewel_whatsapp.msg_message_key_unique'),
            ('wamid_unique', Unique(t, t.account, t.wamid),
                'jewel_whatsapp.msg_message_wamid_unique'),
            ('reminder_unique', Unique(t, t.reminder),
                'jewel_whatsapp.msg_message_reminder_unique'),
            ]
        cls._sql_indexes.update({
                Index(t, (t.wamid, Index.Equality())),
                Index(t, (t.status, Index.Equality(cardinality='low')),
                    where=t.status.in_(['queued', 'sending'])),
                })
        cls._order = [('create_date', 'DESC'), ('id', 'DESC')]
        cls._buttons.update({
                'resend': {
                    'invisible': Eval('status') != 'failed',
                    'depends': ['status'],
                    'icon': 'tryton-forward',
                    },
                })

    @classmethod
    def default_direction(cls):
        return 'out'

    @classmethod
    def default_type(cls):
        return 'text'

    @classmethod
    def default_status(cls):
        return 'queued'

    @classmethod
    def default_attempts(cls):
        return 0

    def get_rec_name(self, name):
        text = self.body or (self.template.name if self.template else '') \
            or self.media_name or self.type
        return f'{self.party.rec_name}: {text[:40]}'

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if mode == 'create':
            if not values.get('idempotency_key'):
                values['idempotency_key'] = uuid.uuid4().hex
            party_id = values.get('party')
            if party_id is not None and party_id >= 0:
                Party = Pool().get('party.party')
                party = Party(party_id)
                if not values.get('conversation'):
                    values['conversation'] = cls._conversation_of(party).id
                if not values.get('phone'):
                    values['phone'] = cls.phone_of(party)
        return values

    @classmethod
    def _conversation_of(cls, party):
        return Pool().get('jewel.whatsapp.conversation').of_party(party)

    @classmethod
    def phone_of(cls, party):
        "The E.164 WhatsApp number of party: its WhatsApp, else mobile"
        mechanisms = sorted(
            (m for m in party.contact_mechanisms
                if m.type in ('whatsapp', 'mobile') and m.value_compact),
            key=lambda m: m.type != 'whatsapp')
        for mechanism in mechanisms:
            if phone.parse(mechanism.value_compact, 'IN'):
                return mechanism.value_compact
        return None

    @classmethod
    def check_modification(cls, mode, messages, values=None, external=False):
        super().check_modification(
            mode, messages, values=values, external=external)
        if mode == 'create':
            for message in messages:
                if message.direction == 'out' and message.status in {
                        'queued', 'scheduled'}:
                    message.check_sendable()

    def check_sendable(self):
        if not self.phone:
            raise ValidationError(gettext(
                    'jewel_whatsapp.msg_message_no_phone',
                    party=self.party.rec_name))
        if not self.account.active:
            raise ValidationError(gettext(
                    'jewel_whatsapp.msg_message_account_inactive',
                    account=self.account.rec_name))
        if self.type == 'template':
            if not self.template:
                raise ValidationError(gettext(
                        'jewel_whatsapp.msg_message_template_required'))
            if not self.template.approved:
                raise ValidationError(gettext(
                        'jewel_whatsapp.msg_message_template_not_approved',
                        template=self.template.rec_name,
                        status=self.template.status or '-'))
        elif self.type == 'text':
            if not (self.body or '').strip():
                raise ValidationError(gettext(
                        'jewel_whatsapp.msg_message_text_empty'))
            if not self.conversation.window_open:
                raise ValidationError(gettext(
                        'jewel_whatsapp.msg_message_window_closed',
                        party=self.party.rec_name))
        elif self.type in ('document', 'image'):
            if not self.media and not self.media_id:
                raise ValidationError(gettext(
                        'jewel_whatsapp.msg_message_media_required'))
            if not self.conversation.window_open:
                raise ValidationError(gettext(
                        'jewel_whatsapp.msg_message_window_closed',
                        party=self.party.rec_name))
        else:
            raise ValidationError(gettext(
                    'jewel_whatsapp.msg_message_type_not_sendable',
                    type=self.type))

    @classmethod
    def on_modification(cls, mode, messages, field_names=None):
        super().on_modification(mode, messages, field_names=field_names)
        if mode == 'create':
            cls.enqueue([m for m in messages
                    if m.direction == 'out' and m.status == 'queued'])

    @classmethod
    def send_template(cls, party, template_name, document=None,
            account=None, media=None, **values):
        """Queue the approved template named template_name (or that
        template) to party, its parameters filled from party and document:
        the hook for other modules (repair ready, payment reminders,
        greetings).

        media (content, file name, MIME type), e.g. an invoice PDF, or a
        function giving it (called only when the file is sent), rides in
        the template's DOCUMENT header when it has one, else follows as a
        document message when the service window is open.  values are
        more message values (send_on, reminder...)."""
        pool = Pool()
        Account = pool.get('jewel.whatsapp.account')
        Template = pool.get('jewel.whatsapp.template')
        if account is None:
            accounts = Account.search(
                [('company', '=', party.company.id)], limit=1)
            if not accounts:
                return None
            account, = accounts
        if isinstance(template_name, Template):
            templates = [template_name] if template_name.approved else []
            template_name = template_name.name
        else:
            templates = Template.search([
                    ('account', '=', account.id),
                    ('name', '=', template_name),
                    ('status', '=', 'APPROVED'),
                    ], order=[('id', 'ASC')], limit=1)
        if not templates:
            raise ValidationError(gettext(
                    'jewel_whatsapp.msg_template_missing',
                    template=template_name, account=account.rec_name))
        template, = templates
        values.update({
                'company': party.company.id,
                'account': account.id,
                'party': party.id,
                'type': 'template',
                'template': template.id,
                'parameters': {'values': template.render_parameters(
                        party, document)},
                })
        if media and template.header_format == 'DOCUMENT':
            values.update(cls._media_values(_file(media)))
            media = None
        message, = cls.create([values])
        if media and message.conversation.window_open:
            cls.create([{
                        'company': party.company.id,
                        'account': account.id,
                        'party': party.id,
                        'type': 'document',
                        **cls._media_values(_file(media)),
                        }])
        return message

    @staticmethod
    def _media_values(media):
        content, name, mimetype = media
        return {'media': content, 'media_name': name, 'media_type': mimetype}

    @classmethod
    def send_account_template(cls, field, records, **values):
        """Queue the template set in the account field (of the records'
        business) to the customer (party) of each record, its parameters
        filled from the record: the generic answer to events.  Never
        raises: a customer without a WhatsApp number, or a template
        missing a value, is skipped and logged.  A record may give a file
        to send along with ``whatsapp_media()``; return the messages."""
        Account = Pool().get('jewel.whatsapp.account')
        messages = []
        for record in records:
            party = getattr(record, 'party', None)
            if not party or not party.company or not cls.phone_of(party):
                continue
            account = Account.with_template(party.company.id, field)
            if not account:
                continue
            media_of = getattr(record, 'whatsapp_media', None)
            try:
                with Transaction().set_context(company=party.company.id):
                    messages.append(cls.send_template(party,
                            getattr(account, field).name, document=record,
                            account=account, media=media_of, **values))
            except ValidationError as error:
                logger.warning("WhatsApp %s not sent for %s: %s", field,
                    record.rec_name, error.message)
        return messages

    @classmethod
    def send_scheduled(cls, date=None):
        """Cron: queue the scheduled messages due today (greetings); a
        customer who withdrew their consent meanwhile is not greeted"""
        pool = Pool()
        Date = pool.get('ir.date')
        date = date or Date.today()
        messages = cls.search([
                ('status', '=', 'scheduled'),
                ('send_on', '<=', date),
                ])
        consenting = cls.consenting({m.party.id for m in messages})
        withdrawn = [m for m in messages if m.party.id not in consenting]
        due = [m for m in messages if m.party.id in consenting]
        if withdrawn:
            cls.write(withdrawn, {
                    'status': 'failed', 'error_code': 'consent',
                    'error_reason': gettext(
                        'jewel_whatsapp.msg_message_consent_withdrawn'),
                    })
        if due:
            cls.write(due, {'status': 'queued'})
            cls.enqueue(due)
        return due

    @classmethod
    def consenting(cls, party_ids):
        "The ids among party_ids who agreed to WhatsApp messages"
        Consent = Pool().get('jewel.customer.consent')
        consent = Consent.__table__()
        cursor = Transaction().connection.cursor()
        result = set()
        for sub_ids in grouped_slice(list(party_ids), 1000):
            cursor.execute(*consent.select(consent.party,
                    where=consent.party.in_(list(sub_ids))
                    & (consent.channel == 'whatsapp')
                    & (consent.granted == Literal(True))))
            result.update(p for p, in cursor)
        return result

    @classmethod
    def queue_templates(cls, account, template, recipients, campaign=None):
        """Queue template messages to recipients [(party id, E.164 phone,
        parameter values)], written set-based for large segments; return
        their ids"""
        pool = Pool()
        Conversation = pool.get('jewel.whatsapp.conversation')
        company_id = account.company.id
        conversations = Conversation.ensure(
            [r[0] for r in recipients], company_id)
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        user = Transaction().user
        columns = [table.company, table.account, table.conversation,
            table.party, table.phone, table.direction, table.type,
            table.template, table.parameters, table.status,
            table.idempotency_key, table.attempts, table.unconfirmed,
            table.campaign, table.create_uid, table.create_date]
        keys = []
        rows = []
        for party_id, number, values in recipients:
            key = uuid.uuid4().hex
            keys.append(key)
            rows.append([company_id, account.id, conversations[party_id],
                    party_id, number, 'out', 'template', template.id,
                    cls.parameters.sql_format({'values': values}),
                    'queued', key, 0, False,
                    campaign.id if campaign else None, user,
                    CurrentTimestamp()])
        for chunk in grouped_slice(rows, 1000):
            cursor.execute(*table.insert(columns, list(chunk)))
        ids = []
        for chunk in grouped_slice(keys, 1000):
            cursor.execute(*table.select(table.id,
                    where=table.idempotency_key.in_(list(chunk))))
            ids.extend(i for i, in cursor)
        ids.sort()
        cls.enqueue(ids)
        return ids

    @classmethod
    def queue_campaign(cls, campaign, recipients, values):
        """Queue the template of campaign to recipients, a query of rows
        (party, name, phone) with one row per customer, in one INSERT ...
        SELECT (conversations are made likewise, queue tasks in one
        go); values are the template's parameter values, None standing for
        the customer's name.  Return the ids of the messages."""
        pool = Pool()
        Conversation = pool.get('jewel.whatsapp.conversation')
        table = cls.__table__()
        conversation = Conversation.__table__()
        transaction = Transaction()
        cursor = transaction.connection.cursor()
        Conversation.ensure_query(
            recipients.select(recipients.party), campaign.company.id)
        # unique: random for the launch, then the customer (once each)
        key_prefix = uuid.uuid4().hex[:20] + '-'
        columns = [table.company, table.account, table.conversation,
            table.party, table.phone, table.direction, table.type,
            table.template, table.parameters, table.status,
            table.idempotency_key, table.attempts, table.unconfirmed,
            table.campaign, table.create_uid, table.create_date]
        cursor.execute(*table.insert(columns,
                recipients.join(conversation,
                    condition=conversation.party == recipients.party
                    ).select(
                    Literal(campaign.company.id), Literal(campaign.account.id),
                    conversation.id, recipients.party, recipients.phone,
                    Literal('out'), Literal('template'),
                    Literal(campaign.template.id),
                    _json_values(values, recipients.name), Literal('queued'),
                    Concat(key_prefix, Cast(recipients.party, 'VARCHAR')),
                    Literal(0), Literal(False), Literal(campaign.id),
                    Literal(transaction.user), CurrentTimestamp())))
        cursor.execute(*table.select(table.id,
                where=table.campaign == campaign.id, order_by=[table.id]))
        ids = [i for i, in cursor]
        cls.enqueue(ids)
        return ids

    @classmethod
    def enqueue(cls, messages, delay=None):
        """Push the sending of messages (or ids) to the 'whatsapp' queue,
        one task (Message.deliver) per batch, all tasks created at once"""
        pool = Pool()
        Queue = pool.get('ir.queue')
        ids = [int(m) for m in messages]
        if not ids:
            return []
        transaction = Transaction()
        context = transaction.context.copy()
        # as ir.queue's caller does: what only concerns the pushing
        for key in ['queue_name', 'queue_scheduled_at', 'queue_expected_at',
                'queue_batch', '_check_access', 'language']:
            context.pop(key, None)
        scheduled_at = dt.datetime.now() + delay if delay else None
        with without_check_access():
            tasks = Queue.create([{
                        'name': 'whatsapp',
                        'data': {
                            'model': cls.__name__,
                            'method': 'deliver',
                            'user': transaction.user,
                            'context': context,
                            'instances': list(batch),
                            'args': [],
                            'kwargs': {},
                            },
                        'scheduled_at': scheduled_at,
                        } for batch in grouped_slice(ids, BATCH_SIZE)])
        database = transaction.database
        if database.has_channel():
            database.notify(transaction.connection, Queue.__name__, '')
        if not config.getboolean('queue', 'worker', default=False):
            transaction.tasks.extend(t.id for t in tasks)
        return tasks

    # --- outbox ----------------------------------------------------------

    @classmethod
    def deliver(cls, messages):
        """Queue task: send the queued messages among messages.

        Three steps so that nothing is posted twice: claim and commit,
        post, record and commit.  Claim and record are one UPDATE each for
        the batch (the record's carrying every wamid), so the database
        keeps up with the pace of the phone number."""
        claimed = cls._claim_queued([m.id for m in messages])
        if not claimed:
            return
        outcomes = cls._post_requests(claimed)
        cls._record_outcomes(outcomes)

    @classmethod
    def _claim_queued(cls, ids):
        """Mark the queued messages of ids as sending; return what to post.

        The rows are read with one SELECT of the columns posting needs and
        claimed with one UPDATE (the batch is locked meanwhile)."""
        pool = Pool()
        Account = pool.get('jewel.whatsapp.account')
        Template = pool.get('jewel.whatsapp.template')
        claims = []
        with cls._locked_transaction(ids) as claim:
            table = cls.__table__()
            cursor = claim.connection.cursor()
            cursor.execute(*table.select(table.id, table.account,
                    table.template, table.phone, table.type, table.body,
                    table.parameters, table.media_id, table.media_name,
                    table.media_type, table.attempts, table.idempotency_key,
                    Case((table.media == Null, False), else_=True),
                    where=table.id.in_(list(ids))
                    & (table.status == 'queued')
                    & (table.direction == 'out'),
                    order_by=[table.id]))
            rows = cursor.fetchall()
            accounts = {a.id: a for a in Account.browse(
                    list({r[1] for r in rows}))}
            templates = {t.id: t for t in Template.browse(
                    list({r[2] for r in rows if r[2] is not None}))}
            now = dt.datetime.now()
            invalid, sending = [], []
            for row in rows:
                message = _Queued(row, accounts, templates)
                try:
                    request = cls._posting(message)
                except ValidationError as error:
                    invalid.extend(([cls(message.id)], {
                                'status': 'failed',
                                'error_code': 'invalid',
                                'error_reason': error.message,
                                'attempts': message.attempts + 1,
                                'last_attempt_at': now,
                                }))
                    continue
                sending.append(message.id)
                claims.append(request)
            if sending:
                # the rows are locked: attempts + 1 is what was read
                cursor.execute(*table.update(
                        [table.status, table.attempts, table.last_attempt_at,
                            table.write_uid, table.write_date],
                        ['sending', table.attempts + 1,
                            cls.last_attempt_at.sql_format(now), claim.user,
                            CurrentTimestamp()],
                        where=table.id.in_(sending)
                        & (table.status == 'queued')))
            if invalid:
                cls.write(*invalid)
            claim.commit()
        return claims

    @classmethod
    def _locked_transaction(cls, ids):
        """A transaction of its own holding the rows of ids (SELECT FOR
        UPDATE on PostgreSQL), committed before any HTTP call"""
        return Transaction().new_transaction(
            _lock_records={cls._table: list(ids)})

    @classmethod
    def _posting(cls, message):
        """What posting message (a _Queued row) needs, read while its row
        is locked"""
        account = message.account
        payload = {'to': wa_id(message.phone), 'type': message.type,
            'biz_opaque_callback_data': message.idempotency_key}
        media = None
        if message.type == 'text':
            payload['text'] = {'preview_url': False, 'body': message.body}
        elif message.type == 'template':
            document = None
            if message.has_media or message.media_id:
                document = {'filename': message.media_name or 'file'}
                media = cls._media_to_upload(message, document)
            payload['template'] = message.template.payload(
                (message.parameters or {}).get('values', []), document)
        elif message.type in ('document', 'image'):
            part = {}
            if message.body:
                part['caption'] = message.body
            if message.type == 'document' and message.media_name:
                part['filename'] = message.media_name
            media = cls._media_to_upload(message, part)
            payload[message.type] = part
        return {
            'id': message.id,
            'attempts': message.attempts + 1,
            'max_attempts': account.max_attempts,
            'client': (account.api_base_url, account.api_version,
                account.phone_number_id, account.access_token or '',
                account.business_account_id),
            'rate': account.rate_limit,
            'timeout': account.timeout,
            'payload': payload,
            'media': media,
            }

    @classmethod
    def _media_to_upload(cls, message, part):
        """Put the media id in part when the file is uploaded already (a
        retry never uploads it again), else return the file to upload"""
        if message.media_id:
            part['id'] = message.media_id
            return None
        return (bytes(cls(message.id).media), message.media_name or 'file',
            message.media_type or 'application/octet-stream')

    @classmethod
    def _post_requests(cls, requests_):
        "Post each request, paced per phone number; return the outcomes"

        def post(request):
            base_url, version, number_id, token, waba = request['client']
            client = CloudAPIClient(base_url, version, number_id, token,
                business_account_id=waba, session=_session(base_url),
                read_timeout=request['timeout'])
            outcome = {'id': request['id'], 'attempts': request['attempts'],
                'max_attempts': request['max_attempts']}
            try:
                payload = request['payload']
                if request['media']:
                    content, name, mimetype = request['media']
                    outcome['media_id'] = client.upload_media(
                        content, name, mimetype)
                    _set_media_id(payload, outcome['media_id'])
                with Throttle.call(number_id, request['rate']):
                    outcome['wamid'] = client.send(payload)
            except CloudAPIError as error:
                outcome['error'] = error
            return outcome

        if len(requests_) <= 1:
            return [post(r) for r in requests_]
        return list(_senders().map(post, requests_))

    @classmethod
    def _record_outcomes(cls, outcomes):
        "Write what the API answered; retry later what may be retried"
        now = dt.datetime.now()
        retry = []
        accepted = [o for o in outcomes
            if 'error' not in o and not o.get('media_id')]
        others = [o for o in outcomes
            if 'error' in o or o.get('media_id')]
        with cls._locked_transaction([o['id'] for o in outcomes]) as record:
            if accepted:
                cls._record_accepted(accepted, now)
            by_id = {m.id: m for m in cls.browse([o['id'] for o in others])}
            to_write = []
            for outcome in others:
                message = by_id[outcome['id']]
                values = {}
                if outcome.get('media_id'):
                    values['media_id'] = outcome['media_id']
                error = outcome.get('error')
                if error is None:
                    values['wamid'] = outcome['wamid']
                    values['sent_at'] = now
                    values['unconfirmed'] = False
                    if STATUS_RANK['sent'] > STATUS_RANK[message.status]:
                        values['status'] = 'sent'
                elif message.status == 'sending':
                    # otherwise a status event has already settled it
                    values['error_code'] = str(error.code)
                    values['error_reason'] = error.reason
                    if error.unconfirmed:
                        values['unconfirmed'] = True
                    elif (error.retryable
                            and outcome['attempts'] < outcome['max_attempts']):
                        values['status'] = 'queued'
                        retry.append(message)
                    else:
                        values['status'] = 'failed'
                if values:
                    to_write.extend(([message], values))
            if to_write:
                cls.write(*to_write)
            if retry:
                attempts = max(m.attempts for m in retry)
                cls.enqueue(retry, delay=cls.backoff(attempts))
            record.commit()

    @classmethod
    def _record_accepted(cls, outcomes, now):
        """One UPDATE for the messages the API accepted: their wamid, and
        sent unless a status event has moved them further already"""
        table = cls.__table__()
        transaction = Transaction()
        cursor = transaction.connection.cursor()
        before_sent = [s for s, r in STATUS_RANK.items()
            if r < STATUS_RANK['sent']]
        for chunk in grouped_slice(outcomes, 500):
            chunk = list(chunk)
            cursor.execute(*table.update(
                    [table.wamid, table.sent_at, table.unconfirmed,
                        table.status, table.write_uid, table.write_date],
                    [Case(*((table.id == o['id'], o['wamid'])
                                for o in chunk)),
                        cls.sent_at.sql_format(now), False,
                        Case((table.status.in_(before_sent), 'sent'),
                            else_=table.status),
                        transaction.user, CurrentTimestamp()],
                    where=table.id.in_([o['id'] for o in chunk])))

    @classmethod
    def fetch_media(cls, messages):
        """Queue task: download the files customers sent and keep them as
        attachments of their message; a failure is noted on the message"""
        Attachment = Pool().get('ir.attachment')
        for message in messages:
            if message.direction != 'in' or not message.media_id \
                    or message.attachments:
                continue
            try:
                content, mimetype = message.account.client().download_media(
                    message.media_id)
            except CloudAPIError as error:
                message.error_code = str(error.code)
                message.error_reason = gettext(
                    'jewel_whatsapp.msg_message_media_not_downloaded',
                    reason=error.reason)
                message.save()
                continue
            Attachment.create([{
                        'resource': str(message),
                        'name': message.media_file_name(mimetype),
                        'data': content,
                        }])

    def media_file_name(self, mimetype=None):
        "The name of a received file: its own, else its id and extension"
        if self.media_name:
            return self.media_name
        extension = mimetypes.guess_extension(
            mimetype or self.media_type or '') or ''
        return f'{self.type}-{self.media_id}{extension}'

    @classmethod
    def backoff(cls, attempts):
        "Wait before try attempts + 1: 2, 4, 8... seconds, at most 5 min"
        return dt.timedelta(seconds=min(2 ** attempts, 300))

    @classmethod
    def fail_unconfirmed(cls, older_than=UNCONFIRMED_AFTER):
        """Cron: fail messages claimed long ago and never confirmed (no
        answer, or the sender stopped); they are not resent automatically
        because WhatsApp may have delivered them"""
        limit = dt.datetime.now() - older_than
        messages = cls.search([
                ('status', '=', 'sending'),
                ('last_attempt_at', '<=', limit),
                ])
        for message in messages:
            message.status = 'failed'
            message.error_reason = gettext(
                'jewel_whatsapp.msg_message_unconfirmed',
                reason=message.error_reason or '-')
        cls.save(messages)
        return messages

    @classmethod
    @ModelView.button
    def resend(cls, messages):
        "Send a failed message again, as a new message with a new key"
        new = cls.copy(messages, default={
                'status': 'queued', 'wamid': None, 'idempotency_key': None,
                'attempts': 0, 'error_code': None, 'error_reason': None,
                'unconfirmed': False, 'sent_at': None, 'delivered_at': None,
                'read_at': None, 'last_attempt_at': None, 'campaign': None,
                })
        return new

    # --- status events -----------------------------------------------------

    def status_values(self, status, timestamp, error=None):
        "The values moving self to status, or {} when it would go back"
        if status not in STATUS_RANK or (
                STATUS_RANK[status] <= STATUS_RANK[self.status]):
            values = {}
        else:
            values = {'status': status, 'unconfirmed': False}
        stamp = {'sent': 'sent_at', 'delivered': 'delivered_at',
            'read': 'read_at'}.get(status)
        if stamp and not getattr(self, stamp):
            values[stamp] = timestamp
            if status == 'read' and not self.delivered_at:
                values['delivered_at'] = timestamp
        if status == 'failed' and values.get('status') and error:
            values['error_code'] = str(error.get('code', ''))
            details = (error.get('error_data') or {}).get('details')
            title = error.get('title') or error.get('message') or ''
            values['error_reason'] = f"({error.get('code')}) {title}" + (
                f": {details}" if details and details != title else '')
        return values

    @classmethod
    def copy(cls, messages, default=None):
        default = default.copy() if default else {}
        default.setdefault('idempotency_key', None)
        default.setdefault('wamid', None)
        return super().copy(messages, default=default)

    @classmethod
    def last_inbound(cls, parties):
        "{party id: datetime of the last message received}"
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        result = {}
        for sub_ids in grouped_slice([p.id for p in parties], 1000):
            cursor.execute(*table.select(table.party, Max(table.received_at),
                    where=table.party.in_(list(sub_ids))
                    & (table.direction == Literal('in'))
                    & (table.received_at != Null),
                    group_by=[table.party]))
            result.update(cursor)
        return result


class _Queued:
    "The columns of a queued message that posting it needs"
    __slots__ = ('id', 'account', 'template', 'phone', 'type', 'body',
        'parameters', 'media_id', 'media_name', 'media_type', 'attempts',
        'idempotency_key', 'has_media')

    def __init__(self, row, accounts, templates):
        (self.id, account, template, self.phone, self.type, self.body,
            parameters, self.media_id, self.media_name, self.media_type,
            self.attempts, self.idempotency_key, self.has_media) = row
        self.account = accounts[account]
        self.template = templates.get(template)
        if isinstance(parameters, str):
            # stored as text (SQLite), as fields.Dict reads it
            parameters = json.loads(parameters, object_hook=JSONDecoder())
        self.parameters = parameters
        self.has_media = bool(self.has_media)


_sending = threading.local()
_pool_lock = threading.Lock()
_pool = {}


def _senders():
    """The threads posting messages, shared by the tasks of a process (a
    forked worker makes its own)"""
    pid = os.getpid()
    with _pool_lock:
        if pid not in _pool:
            _pool.clear()
            # The first batch of a worker process: Tryton's pool is loaded
            # and stays.  Out of the cyclic collector's scans, its full
            # passes no longer stop the senders ~170 ms every few seconds
            # (about 5% of the rate at 1,000 messages/s)
            gc.freeze()
            _pool[pid] = ThreadPoolExecutor(
                SEND_THREADS, thread_name_prefix='whatsapp-send')
        return _pool[pid]


def _session(base_url):
    """The requests session of this thread for base_url: kept between
    batches, its connections stay alive (no TCP and TLS handshake per
    message)"""
    sessions = getattr(_sending, 'sessions', None)
    if sessions is None:
        sessions = _sending.sessions = {}
    if base_url not in sessions:
        sessions[base_url] = new_session(base_url)
    return sessions[base_url]


def _json_values(values, name):
    """SQL of the parameters {"values": [...]} of a message, name (a
    column) standing for the None among values"""
    items = [name if v is None else Cast(Literal(str(v)), 'VARCHAR')
        for v in values]
    if backend.name == 'postgresql':
        return _JsonbObject(Cast(Literal('values'), 'VARCHAR'),
            _JsonbArray(*items))
    return _JsonObject(Literal('values'), _JsonArray(*items))


class _JsonbObject(Function):
    __slots__ = ()
    _function = 'JSONB_BUILD_OBJECT'


class _JsonbArray(Function):
    __slots__ = ()
    _function = 'JSONB_BUILD_ARRAY'


class _JsonObject(Function):
    __slots__ = ()
    _function = 'JSON_OBJECT'


class _JsonArray(Function):
    __slots__ = ()
    _function = 'JSON_ARRAY'


def _set_media_id(payload, media_id):
    "Point the file of a message payload to the uploaded media"
    if payload['type'] == 'template':
        for component in payload['template']['components']:
            if component['type'] == 'header':
                component['parameters'][0]['document']['id'] = media_id
    else:
        payload[payload['type']]['id'] = media_id


def _file(media):
    "(content, name, MIME type) of media, calling it when a function"
    return media() if callable(media) else media
