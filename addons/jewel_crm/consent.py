# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"What a customer agreed to be contacted by"
import datetime as dt

from trytond.model import ModelSQL, ModelView, Unique, fields
from trytond.pool import PoolMeta
from trytond.pyson import Eval

from .audit import AuditedMixin
from .company_field import TenantMixin, tenant_company_field

CHANNELS = [
    ('whatsapp', "WhatsApp"),
    ('sms', "SMS"),
    ('email', "E-mail"),
    ('call', "Calls"),
    ]
SOURCES = [
    ('in_store', "In store (signed form)"),
    ('website', "Website"),
    ('whatsapp', "WhatsApp reply"),
    ('phone_call', "Phone call"),
    ('import', "Import"),
    ('other', "Other"),
    ]


class CustomerConsent(AuditedMixin, TenantMixin, ModelSQL, ModelView):
    "Consent of a customer to one contact channel"
    __name__ = 'jewel.customer.consent'
    company = tenant_company_field(required=True)
    party = fields.Many2One(
        'party.party', "Customer", required=True, ondelete='CASCADE',
        domain=[('company', '=', Eval('company', -1))])
    channel = fields.Selection(CHANNELS, "Channel", required=True)
    channel_string = channel.translated('channel')
    granted = fields.Boolean("Granted",
        help="Cleared when the customer withdraws consent.")
    date = fields.DateTime("Date", required=True)
    source = fields.Selection(SOURCES, "Source", required=True)
    source_string = source.translated('source')
    note = fields.Char("Note")
    _audit_fields = ['channel', 'granted', 'date', 'source']
    _audit_subject = 'consent'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('party_channel_unique', Unique(t, t.party, t.channel),
                'jewel_crm.msg_consent_channel_unique'),
            ]
        cls.__access__.add('party')
        cls._order = [('party', 'ASC'), ('channel', 'ASC'), ('id', 'ASC')]

    @classmethod
    def default_date(cls):
        return dt.datetime.now()

    @classmethod
    def default_granted(cls):
        return True

    @classmethod
    def default_source(cls):
        return 'in_store'

    def get_rec_name(self, name):
        return '%s: %s' % (self.channel_string,
            'granted' if self.granted else 'withdrawn')

    def _audit_label(self):
        return '%s (%s, %s)' % (
            self.rec_name, self.source_string, self.date.isoformat())


class Party(metaclass=PoolMeta):
    __name__ = 'party.party'
    consents = fields.One2Many(
        'jewel.customer.consent', 'party', "Consents")

    def has_consent(self, channel):
        "True when the customer currently agrees to channel"
        return any(c.channel == channel and c.granted for c in self.consents)
