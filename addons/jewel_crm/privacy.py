# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"A customer's rights: a copy of their data, and erasure"
import datetime as dt
import json
from decimal import Decimal

from trytond.model import ModelView, fields
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction, without_check_access
from trytond.wizard import Button, StateTransition, StateView, Wizard

from .audit import display
from .party import PROFILE_FIELDS


class Party(metaclass=PoolMeta):
    __name__ = 'party.party'

    def personal_data(self):
        "Everything the business keeps about the customer, as plain data"
        pool = Pool()
        Sale = pool.get('sale.sale')
        Invoice = pool.get('account.invoice')
        Opportunity = pool.get('sale.opportunity')
        Complaint = pool.get('sale.complaint')
        with without_check_access():
            return {
                'customer': {
                    'code': self.code,
                    **{name: display(self, name) for name in PROFILE_FIELDS},
                    'language': self.lang.name if self.lang else None,
                    'tags': sorted(c.name for c in self.categories),
                    },
                'contacts': [{
                        'type': m.type, 'value': m.value,
                        'e164': m.value_compact if m.type != 'email'
                        else None,
                        'active': bool(m.active),
                        } for m in self.contact_mechanisms],
                'addresses': [{
                        'address': a.full_address,
                        } for a in self.addresses],
                'consents': [{
                        'channel': c.channel, 'granted': bool(c.granted),
                        'date': c.date.isoformat(), 'source': c.source,
                        } for c in self.consents],
                'sales': [{
                        'number': s.number, 'date': _iso(s.sale_date),
                        'state': s.state, 'total': _str(s.total_amount),
                        } for s in Sale.search([('party', '=', self.id)])],
                'invoices': [{
                        'number': i.number, 'date': _iso(i.invoice_date),
                        'state': i.state, 'total': _str(i.total_amount),
                        } for i in Invoice.search([
                            ('party', '=', self.id)])],
                'opportunities': [{
                        'description': o.description, 'state': o.state,
                        'date': _iso(o.start_date),
                        } for o in Opportunity.search([
                            ('party', '=', self.id)])],
                'complaints': [{
                        'reference': c.reference, 'date': _iso(c.date),
                        'state': c.state, 'description': c.description,
                        } for c in Complaint.search([
                            ('customer', '=', self.id)])],
                'history': [{
                        'date': a.date.isoformat(), 'user': display(a, 'user'),
                        'action': a.action, 'subject': a.subject,
                        'field': a.field, 'old': a.old_value,
                        'new': a.new_value,
                        } for a in self.audit_trail],
                }


def _iso(value):
    return value.isoformat() if value else None


def _str(value):
    return str(value) if isinstance(value, Decimal) else value


class DataExport(Wizard):
    "Give a customer the data kept about them, as one JSON document"
    __name__ = 'jewel.customer.data_export'
    start = StateTransition()
    result = StateView(
        'jewel.customer.data_export.result',
        'jewel_crm.customer_data_export_result_view_form', [
            Button("Close", 'end', 'tryton-close', default=True),
            ])

    def transition_start(self):
        Audit = Pool().get('jewel.customer.audit')
        party = self.record
        document = {
            'exported': dt.datetime.now().isoformat(timespec='seconds'),
            'business': party.company.rec_name if party.company else None,
            **party.personal_data(),
            }
        self.result.file = json.dumps(
            document, ensure_ascii=False, indent=2).encode('utf-8')
        self.result.filename = 'customer-%s.json' % party.code
        Audit.log(party, 'export', 'privacy')
        return 'result'

    def default_result(self, fields):
        return {'file': self.result.file, 'filename': self.result.filename}


class DataExportResult(ModelView):
    "Customer data"
    __name__ = 'jewel.customer.data_export.result'
    file = fields.Binary("File", filename='filename', readonly=True)
    filename = fields.Char("File Name", readonly=True)


class Erase(metaclass=PoolMeta):
    "Erasure also clears the jewellery profile, consents notes and history"
    __name__ = 'party.erase'

    def to_erase(self, party_id):
        pool = Pool()
        Party = pool.get('party.party')
        Mechanism = pool.get('party.contact_mechanism')
        Consent = pool.get('jewel.customer.consent')
        to_erase = super().to_erase(party_id)
        profile = [
            'preferred_metals', 'preferred_stones', 'preferred_styles',
            'budget_min', 'budget_max', 'ring_size', 'birthday',
            'anniversary', 'spouse_name', 'spouse', 'community',
            'festivals', 'referred_by', 'customer_notes']
        to_erase.extend([
                (Party, [('id', '=', party_id)], False,
                    profile, [None] * len(profile)),
                (Mechanism, [('party', '=', party_id)], False,
                    ['value_compact'], [None]),
                (Consent, [('party', '=', party_id)], False,
                    ['note'], [None]),
                ])
        return to_erase

    def transition_erase(self):
        pool = Pool()
        Audit = pool.get('jewel.customer.audit')
        party = self.ask.party
        # no history of the erasure's own writes: they would keep the data
        with Transaction().set_context(_jewel_no_audit=True):
            state = super().transition_erase()
        Audit.erase_values([party])
        Audit.log(party, 'erase', 'privacy')
        return state
