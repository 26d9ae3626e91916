# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt

from sql import Literal
from sql.conditionals import Coalesce

from trytond.i18n import gettext
from trytond.model import Index, fields
from trytond.model.exceptions import AccessError, ValidationError
from trytond.modules.currency.fields import Monetary
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Bool, Eval, If
from trytond.tools import grouped_slice
from trytond.transaction import Transaction, inactive_records

from . import phone
from .choices import FESTIVALS, METALS, STONES, STYLES
from .company_field import TenantMixin, tenant_company_field

# Profile fields whose changes the customer's audit trail records
PROFILE_FIELDS = [
    'name', 'is_customer', 'preferred_metals', 'preferred_stones',
    'preferred_styles', 'budget_min', 'budget_max', 'ring_size', 'birthday',
    'anniversary', 'spouse_name', 'spouse', 'community', 'festivals',
    'lead_source', 'referred_by', 'sales_rep', 'home_showroom',
    'customer_notes', 'active',
    ]


class Party(TenantMixin, metaclass=PoolMeta):
    __name__ = 'party.party'
    company = tenant_company_field()
    is_customer = fields.Boolean(
        "Customer", help="Listed under Customers (staff and suppliers not).")
    preferred_metals = fields.MultiSelection(METALS, "Metals")
    preferred_stones = fields.MultiSelection(STONES, "Stones")
    preferred_styles = fields.MultiSelection(STYLES, "Styles")
    budget_min = Monetary(
        "Budget From", currency='currency', digits=(16, 2),
        domain=[If(Bool(Eval('budget_min')), ('budget_min', '>=', 0), ())])
    budget_max = Monetary(
        "Budget To", currency='currency', digits=(16, 2),
        domain=[
            If(Bool(Eval('budget_max')), ('budget_max', '>=', 0), ()),
            If(Bool(Eval('budget_max')) & Bool(Eval('budget_min')),
                ('budget_max', '>=', Eval('budget_min')), ()),
            ])
    ring_size = fields.Many2One(
        'jewel.ring_size', "Ring Size", ondelete='RESTRICT')
    ring_size_equivalents = fields.Function(
        fields.Char("Ring Size in Every System"),
        'on_change_with_ring_size_equivalents')
    birthday = fields.Date("Birthday")
    anniversary = fields.Date("Wedding Anniversary")
    spouse_name = fields.Char("Spouse")
    spouse = fields.Many2One(
        'party.party', "Spouse (Customer)", ondelete='SET NULL',
        domain=[
            ('company', '=', Eval('company', -1)),
            ('id', '!=', Eval('id', -1)),
            ])
    community = fields.Char("Community")
    festivals = fields.MultiSelection(FESTIVALS, "Festivals Observed")
    lead_source = fields.Many2One(
        'jewel.lead_source', "Lead Source", ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))])
    needs_referrer = fields.Function(
        fields.Boolean("Needs Referrer"), 'on_change_with_needs_referrer')
    referred_by = fields.Many2One(
        'party.party', "Referred By", ondelete='SET NULL',
        domain=[
            ('company', '=', Eval('company', -1)),
            ('id', '!=', Eval('id', -1)),
            ],
        states={'invisible': ~Eval('needs_referrer', False)})
    sales_rep = fields.Many2One(
        'company.employee', "Sales Rep", ondelete='SET NULL',
        domain=[('company', '=', Eval('company', -1))])
    home_showroom = fields.Many2One(
        'stock.location', "Home Showroom", ondelete='SET NULL',
        domain=[
            ('type', '=', 'warehouse'),
            ('company', '=', Eval('company', -1)),
            ])
    customer_notes = fields.Text("Notes")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        table = cls.__table__()
        cls._sql_indexes.update({
                Index(table, (table.company, Index.Equality())),
                Index(table, (table.birthday, Index.Range())),
                Index(table, (table.anniversary, Index.Range())),
                })
        cls.categories.domain = [
            cls.categories.domain or [],
            ('company', '=', Eval('company', -1)),
            ]
        cls.phone.searcher = 'search_phone'
        cls.mobile.searcher = 'search_phone'

    @classmethod
    def default_is_customer(cls):
        return Transaction().context.get('is_customer', False)

    @fields.depends('ring_size')
    def on_change_with_ring_size_equivalents(self, name=None):
        if self.ring_size:
            RingSize = Pool().get('jewel.ring_size')
            return RingSize.equivalents(self.ring_size.circumference)

    @fields.depends('lead_source')
    def on_change_with_needs_referrer(self, name=None):
        return bool(self.lead_source and self.lead_source.needs_referrer)

    @classmethod
    def validate_fields(cls, parties, field_names):
        super().validate_fields(parties, field_names)
        cls.check_dates(parties, field_names)

    @classmethod
    def check_dates(cls, parties, field_names=None):
        "Birthdays and anniversaries are days that have already happened"
        if field_names and not (field_names & {'birthday', 'anniversary'}):
            return
        today = dt.date.today()
        for party in parties:
            for name in ['birthday', 'anniversary']:
                value = getattr(party, name)
                if value and not (dt.date(1900, 1, 1) <= value <= today):
                    raise ValidationError(gettext(
                            'jewel_crm.msg_party_date_out_of_range',
                            field=cls.fields_get([name])[name]['string'],
                            date=value.isoformat(),
                            party=party.rec_name))

    @classmethod
    def search_phone(cls, name, clause):
        """Find parties by any written form of a phone number, e.g.
        ('phone', '=', '098290-12345'); the search is exact on E.164"""
        pool = Pool()
        Mechanism = pool.get('party.contact_mechanism')
        _, operator, value, *_ = clause
        e164 = None
        if operator in {'=', 'ilike', 'like'} and isinstance(value, str):
            e164 = phone.to_e164(value.strip('%'), phone.company_region())
        if not e164:
            return [('contact_mechanisms', 'where', [
                        ('type', 'in', sorted(phone.PHONE_TYPES)),
                        ('value_compact', operator, value),
                        ])]
        mechanism = Mechanism.__table__()
        query = mechanism.select(
            mechanism.party,
            where=(mechanism.value_compact == e164)
            & mechanism.type.in_(sorted(phone.PHONE_TYPES))
            & (mechanism.active == Literal(True)))
        return [('id', 'in', query)]

    @classmethod
    def search_rec_name(cls, name, clause):
        _, operator, operand, *extra = clause
        if (operator in {'ilike', 'like', '='} and isinstance(operand, str)
                and phone.looks_like_phone(operand)
                and phone.to_e164(
                    operand.strip('%'), phone.company_region())):
            # A whole phone number in any form: match the number exactly
            return ['OR',
                ('phone', '=', operand),
                ('code', operator, operand, *extra),
                ]
        return super().search_rec_name(name, clause)

    @classmethod
    def check_modification(cls, mode, parties, values=None, external=False):
        super().check_modification(
            mode, parties, values=values, external=external)
        if mode == 'delete':
            cls.check_no_documents(parties)

    @classmethod
    def _document_models(cls):
        "(model, party field) of documents that forbid deleting a customer"
        return [
            ('sale.sale', 'party'),
            ('account.invoice', 'party'),
            ('sale.opportunity', 'party'),
            ('sale.complaint', 'customer'),
            ]

    @classmethod
    def check_no_documents(cls, parties):
        "A customer with documents is archived, never deleted"
        pool = Pool()
        ids = [p.id for p in parties]
        for model_name, field in cls._document_models():
            Model = pool.get(model_name)
            for sub_ids in grouped_slice(ids, 1000):
                documents = Model.search(
                    [(field, 'in', list(sub_ids))], limit=1)
                if documents:
                    party = getattr(documents[0], field)
                    raise AccessError(gettext(
                            'jewel_crm.msg_party_has_documents',
                            party=party.rec_name,
                            documents=Model.__names__()['model']))


class Category(TenantMixin, metaclass=PoolMeta):
    "Customer tags belong to a business; two businesses may use one name"
    __name__ = 'party.category'
    company = tenant_company_field()

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.make_unique_per_company(
            'name_parent_exclude', 'name_parent_company_exclude',
            lambda t: (t.name, Coalesce(t.parent, -1)),
            'party.msg_category_name_unique')
        cls.restrict_parent_to_company()


class Replace(metaclass=PoolMeta):
    "Merging two customers also moves their jewellery records"
    __name__ = 'party.replace'

    @classmethod
    def fields_to_replace(cls):
        return super().fields_to_replace() + [
            ('jewel.customer.consent', 'party'),
            ('jewel.customer.audit', 'party'),
            ('party.party', 'referred_by'),
            ('party.party', 'spouse'),
            ]

    def transition_replace(self):
        "The destination's consent wins where both customers have one"
        Consent = Pool().get('jewel.customer.consent')
        source, destination = self.ask.source, self.ask.destination
        kept = {c.channel for c in destination.consents}
        Consent.delete([c for c in source.consents if c.channel in kept])
        moved = [m.id for m in source.contact_mechanisms]
        state = super().transition_replace()
        self._keep_moved_identities(destination, moved)
        return state

    def _keep_moved_identities(self, destination, moved):
        "The merged customer is still found by the numbers of the other"
        Mechanism = Pool().get('party.contact_mechanism')
        with inactive_records():
            mechanisms = Mechanism.browse(moved)
            known = {(m.type, m.value_compact)
                for m in destination.contact_mechanisms
                if m.active and m.id not in moved}
            revive = [m for m in mechanisms
                if (m.type, m.value_compact) not in known]
            Mechanism.write(revive, {'active': True})
