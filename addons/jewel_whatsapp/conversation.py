# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"WhatsApp conversations: one per customer, and its service window"
import datetime as dt

from sql import Literal
from sql.functions import CurrentTimestamp

from trytond.model import ModelSQL, ModelView, Unique, fields
from trytond.pyson import Eval
from trytond.tools import grouped_slice
from trytond.transaction import Transaction

from jewel_crm.company_field import TenantMixin, tenant_company_field

# WhatsApp takes free text from the business only that long after the
# customer's last message
SERVICE_WINDOW = dt.timedelta(hours=24)


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
