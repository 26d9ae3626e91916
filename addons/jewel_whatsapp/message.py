# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""WhatsApp messages: what they hold, the checks before one is queued,
their status, and the hooks other modules send templates with.

Queuing and sending them is the outbox (outbox.py), which extends this
model: creating an outbound message queues it there."""
import logging
import mimetypes
import uuid

from sql import Literal, Null
from sql.aggregate import Max

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Unique, fields
from trytond.model.exceptions import ValidationError
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.tools import grouped_slice
from trytond.transaction import Transaction

from jewel_crm import phone
from jewel_crm.bounds import bounded
from jewel_crm.company_field import TenantMixin, tenant_company_field

from .client import CloudAPIError
from .document import customer_of, media_of

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
            file = _file(media)
            if file:
                values.update(cls._media_values(file))
            media = None
        message, = cls.create([values])
        if media and message.conversation.window_open:
            file = _file(media)
            if file:
                cls.create([{
                            'company': party.company.id,
                            'account': account.id,
                            'party': party.id,
                            'type': 'document',
                            **cls._media_values(file),
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
        missing a value, is skipped and logged.  Each record is a
        customer document (document.py), which may give a file to send
        along; return the messages."""
        Account = Pool().get('jewel.whatsapp.account')
        messages = []
        for record in records:
            party = customer_of(record)
            if not party or not party.company or not cls.phone_of(party):
                continue
            account = Account.with_template(party.company.id, field)
            if not account:
                continue
            media = media_of(record)
            try:
                with Transaction().set_context(company=party.company.id):
                    messages.append(cls.send_template(party,
                            getattr(account, field).name, document=record,
                            account=account, media=media, **values))
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


def _file(media):
    """(content, name, MIME type) of media, calling it when a function; None
    when the document has no file"""
    return media() if callable(media) else media
