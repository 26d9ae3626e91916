# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Events of the WhatsApp webhook: checked and stored by the route, then
processed in the queue (statuses of our messages, customers' messages)."""
import datetime as dt

from trytond.model import ModelSQL, ModelView, Unique, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction

from jewel_crm import phone
from jewel_crm.company_field import TenantMixin, tenant_company_field

OPT_OUT_WORDS = {'STOP', 'STOP ALL', 'UNSUBSCRIBE', 'OPT OUT', 'OPTOUT'}
OPT_IN_WORDS = {'START', 'SUBSCRIBE'}


class MalformedEvent(ValueError):
    "The body is not a WhatsApp webhook payload"


def parse_payload(data):
    """Return [(phone_number_id, kind, item, contacts)] of a webhook body
    (kind 'status' or 'message'); raise MalformedEvent on another shape"""
    if not isinstance(data, dict) or \
            data.get('object') != 'whatsapp_business_account':
        raise MalformedEvent('object')
    entries = data.get('entry')
    if not isinstance(entries, list) or not entries:
        raise MalformedEvent('entry')
    items = []
    for entry in entries:
        changes = entry.get('changes') if isinstance(entry, dict) else None
        if not isinstance(changes, list):
            raise MalformedEvent('changes')
        for change in changes:
            value = change.get('value') if isinstance(change, dict) else None
            if not isinstance(value, dict):
                raise MalformedEvent('value')
            metadata = value.get('metadata') or {}
            number_id = metadata.get('phone_number_id') \
                if isinstance(metadata, dict) else None
            if not isinstance(number_id, str) or not number_id:
                raise MalformedEvent('phone_number_id')
            contacts = value.get('contacts') or []
            for kind, key in (('status', 'statuses'), ('message', 'messages')):
                listed = value.get(key) or []
                if not isinstance(listed, list):
                    raise MalformedEvent(key)
                for item in listed:
                    if not isinstance(item, dict) or not isinstance(
                            item.get('id'), str):
                        raise MalformedEvent(key)
                    if kind == 'status' and not isinstance(
                            item.get('status'), str):
                        raise MalformedEvent('status')
                    items.append((number_id, kind, item, contacts))
            if not any(value.get(k) for k in ('statuses', 'messages')):
                # other fields (template status, quality...): accepted, kept
                items.append((number_id, 'other', value, contacts))
    return items


def event_key(kind, item):
    "Duplicate deliveries share this key (message id, plus status)"
    if kind == 'status':
        return f"status:{item['id']}:{item['status']}"
    if kind == 'message':
        return f"message:{item['id']}"
    return None


def _timestamp(item):
    try:
        return dt.datetime.fromtimestamp(
            int(item.get('timestamp')), dt.timezone.utc).replace(tzinfo=None)
    except (TypeError, ValueError, OverflowError, OSError):
        return dt.datetime.now()


class Event(TenantMixin, ModelSQL, ModelView):
    "WhatsApp Webhook Event"
    __name__ = 'jewel.whatsapp.event'
    company = tenant_company_field(required=True)
    account = fields.Many2One('jewel.whatsapp.account', "Account",
        required=True, ondelete='CASCADE', readonly=True,
        domain=[('company', '=', Eval('company', -1))])
    key = fields.Char("Key", readonly=True)
    kind = fields.Selection([
            ('status', "Status"),
            ('message', "Message"),
            ('other', "Other"),
            ], "Kind", required=True, readonly=True)
    data = fields.Dict(None, "Data", readonly=True)
    state = fields.Selection([
            ('pending', "Pending"),
            ('done', "Done"),
            ('ignored', "Ignored"),
            ], "State", required=True, readonly=True)
    note = fields.Char("Note", readonly=True)
    message = fields.Many2One('jewel.whatsapp.message', "Message",
        ondelete='SET NULL', readonly=True,
        domain=[('company', '=', Eval('company', -1))])

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('key_unique', Unique(t, t.key),
                'jewel_whatsapp.msg_event_key_unique'),
            ]
        cls._order = [('create_date', 'DESC'), ('id', 'DESC')]

    @classmethod
    def default_state(cls):
        return 'pending'

    def get_rec_name(self, name):
        return self.key or self.kind

    @classmethod
    def store(cls, items):
        """Create the events of items [(account, kind, item, contacts)]
        not seen before and queue their processing; return them"""
        keys = {}
        for account, kind, item, contacts in items:
            key = event_key(kind, item)
            if key is None or key not in keys:
                keys[key or object()] = (account, kind, item, contacts)
        known = {e.key for e in cls.search(
                [('key', 'in', [k for k in keys if isinstance(k, str)])])}
        vlist = []
        for key, (account, kind, item, contacts) in keys.items():
            if key in known:
                continue
            vlist.append({
                    'company': account.company.id,
                    'account': account.id,
                    'key': key if isinstance(key, str) else None,
                    'kind': kind,
                    'data': {'item': item, 'contacts': contacts},
                    'state': 'pending' if kind != 'other' else 'ignored',
                    })
        events = cls.create(vlist)
        pending = [e for e in events if e.state == 'pending']
        if pending:
            with Transaction().set_context(queue_name='whatsapp'):
                cls.__queue__.process(pending)
        return events

    @classmethod
    def process(cls, events):
        "Queue task: apply the pending events"
        for event in events:
            if event.state != 'pending':
                continue
            with Transaction().set_context(company=event.company.id):
                if event.kind == 'status':
                    event._process_status()
                else:
                    event._process_message()
        cls.save(events)

    def _process_status(self):
        pool = Pool()
        Message = pool.get('jewel.whatsapp.message')
        item = self.data['item']
        messages = Message.search([
                ('company', '=', self.company.id),
                ('wamid', '=', item['id']),
                ], limit=1)
        key = item.get('biz_opaque_callback_data')
        if not messages and key:
            messages = Message.search([
                    ('company', '=', self.company.id),
                    ('idempotency_key', '=', key),
                    ], limit=1)
        if not messages:
            self.state, self.note = 'ignored', "unknown message"
            return
        Message.lock(messages)
        message, = Message.browse(messages)
        errors = item.get('errors') or [None]
        values = message.status_values(
            item['status'], _timestamp(item), errors[0])
        if not message.wamid:
            values['wamid'] = item['id']
        if values:
            Message.write([message], values)
        self.message = message
        self.state = 'done'
        if not values.get('status'):
            self.note = f"kept {message.status}"

    def _process_message(self):
        pool = Pool()
        Message = pool.get('jewel.whatsapp.message')
        Conversation = pool.get('jewel.whatsapp.conversation')
        item = self.data['item']
        party = self._find_or_create_party(item.get('from'))
        received = _timestamp(item)
        type_, body, media = _content(item)
        message, = Message.create([{
                    'company': self.company.id,
                    'account': self.account.id,
                    'party': party.id,
                    'direction': 'in',
                    'type': type_,
                    'body': body,
                    'status': 'received',
                    'wamid': item['id'],
                    'received_at': received,
                    **media,
                    }])
        conversation = message.conversation
        if not conversation.last_inbound_at \
                or conversation.last_inbound_at < received:
            Conversation.write([conversation], {'last_inbound_at': received})
        consent_word = type_ in ('text', 'button') \
            and self._apply_consent_word(party, body)
        if not consent_word:
            # e.g. jewel_telecalling makes a lead of it
            CustomerEvent = pool.get('jewel.customer.event')
            CustomerEvent.notify('enquiry', [party.id])
        if message.media_id:
            with Transaction().set_context(queue_name='whatsapp'):
                Message.__queue__.fetch_media([message])
        self.message = message
        self.state = 'done'

    def _find_or_create_party(self, number):
        pool = Pool()
        Party = pool.get('party.party')
        Mechanism = pool.get('party.contact_mechanism')
        e164 = phone.to_e164('+' + (number or '').lstrip('+'), 'IN') \
            or '+' + (number or '')
        mechanism = Mechanism.find_identity(e164, 'phone', self.company)
        if mechanism:
            return mechanism.party
        name = e164
        for contact in self.data.get('contacts') or []:
            if contact.get('wa_id') == number:
                name = (contact.get('profile') or {}).get('name') or name
        party, = Party.create([{
                    'name': name,
                    'company': self.company.id,
                    'is_customer': True,
                    'contact_mechanisms': [('create', [{
                                    'type': 'whatsapp', 'value': e164}])],
                    }])
        self._create_lead(party)
        return party

    def _create_lead(self, party):
        "A new number writing in is a lead of the business"
        Opportunity = Pool().get('sale.opportunity')
        Opportunity.create([{
                    'party': party.id,
                    'company': self.company.id,
                    'description': "WhatsApp enquiry",
                    }])

    def _apply_consent_word(self, party, body):
        Consent = Pool().get('jewel.customer.consent')
        word = ' '.join((body or '').upper().split())
        if word in OPT_OUT_WORDS:
            granted = False
        elif word in OPT_IN_WORDS:
            granted = True
        else:
            return False
        values = {'granted': granted, 'source': 'whatsapp',
            'date': dt.datetime.now(),
            'note': f"Customer wrote {word} on WhatsApp"}
        consents = Consent.search([
                ('party', '=', party.id), ('channel', '=', 'whatsapp')])
        if consents:
            Consent.write(consents, values)
        else:
            Consent.create([{**values, 'party': party.id,
                        'company': self.company.id, 'channel': 'whatsapp'}])
        return True


def _content(item):
    "(type, text, media values) of an inbound message"
    type_ = item.get('type')
    part = item.get(type_) if isinstance(item.get(type_), dict) else {}
    if type_ == 'text':
        return 'text', part.get('body'), {}
    if type_ in ('image', 'document'):
        return type_, part.get('caption'), {
            'media_id': part.get('id'),
            'media_type': part.get('mime_type'),
            'media_name': part.get('filename'),
            }
    if type_ == 'button':
        return 'button', part.get('text') or part.get('payload'), {}
    if type_ == 'interactive':
        reply = part.get('button_reply') or part.get('list_reply') or {}
        return 'button', reply.get('title') or reply.get('id'), {}
    return 'other', type_, {}
