# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Customer 360: one form that answers everything about a customer.

Later modules plug their documents in without touching this module:

1. extend ``Party._customer_360_links`` with
   ``{'visit_count': ('jewel.visit', 'party', [])}``;
2. declare ``visit_count = fields.Function(fields.Integer("Visits"),
   'get_customer_360_counts')`` and a button opening them
   (``@ModelView.button_action('jewel_telecalling.act_visit_relate')``);
3. place both in the ``customer_360_links`` group of the party form with a
   view extension (``<xpath expr="//group[@id='customer_360_links']"
   position="inside">``);
4. for dates, extend ``_customer_360_last_visits`` or
   ``_customer_360_last_contacts`` returning ``{party id: datetime}``;
   a visit is a contact too: add visits to ``_customer_360_last_visits``
   only, the last contact takes them from there.

Counts respect the reader's access: a role that cannot read a document
sees no count for it.
"""
import datetime as dt
from decimal import Decimal

from sql.aggregate import Count, Max

from trytond.model import Index, ModelView, fields
from trytond.modules.currency.fields import Monetary
from trytond.pool import Pool, PoolMeta
from trytond.tools import grouped_slice
from trytond.transaction import Transaction
from trytond.wizard import StateAction, Wizard


class Party(metaclass=PoolMeta):
    __name__ = 'party.party'
    tag_names = fields.Function(fields.Char("Tags"), 'get_tag_names')
    sale_count = fields.Function(
        fields.Integer("Sales"), 'get_customer_360_counts')
    invoice_count = fields.Function(
        fields.Integer("Invoices"), 'get_customer_360_counts')
    opportunity_count = fields.Function(
        fields.Integer("Opportunities"), 'get_customer_360_counts')
    complaint_count = fields.Function(
        fields.Integer("Complaints"), 'get_customer_360_counts')
    lifetime_value = fields.Function(
        Monetary("Lifetime Value", currency='currency', digits='currency',
            help="Posted and paid invoices less credit notes."),
        'get_lifetime_value')
    last_purchase = fields.Function(
        fields.Date("Last Purchase"), 'get_customer_360_dates')
    last_visit = fields.Function(
        fields.DateTime("Last Visit"), 'get_customer_360_dates')
    last_contact = fields.Function(
        fields.DateTime("Last Contact"), 'get_customer_360_dates')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'open_sales': {'icon': 'tryton-sale'},
                'open_invoices': {},
                'open_opportunities': {},
                'open_complaints': {},
                })

    def get_tag_names(self, name):
        return ', '.join(sorted(c.name for c in self.categories))

    @classmethod
    def _customer_360_links(cls):
        "count field -> (model, party field, extra domain)"
        return {
            'sale_count': ('sale.sale', 'party', []),
            'invoice_count': (
                'account.invoice', 'party', [('type', '=', 'out')]),
            'opportunity_count': ('sale.opportunity', 'party', []),
            'complaint_count': ('sale.complaint', 'customer', []),
            }

    @classmethod
    def get_customer_360_counts(cls, parties, names):
        pool = Pool()
        cursor = Transaction().connection.cursor()
        links = cls._customer_360_links()
        ids = [p.id for p in parties]
        result = {}
        for name in names:
            model_name, field, domain = links[name]
            if not _readable(model_name):
                result[name] = {i: None for i in ids}
                continue
            Model = pool.get(model_name)
            table = Model.__table__()
            column = getattr(table, field)
            counts = result[name] = {i: 0 for i in ids}
            for sub_ids in grouped_slice(ids, 1000):
                query = Model.search(
                    [(field, 'in', list(sub_ids))] + domain, query=True)
                cursor.execute(*table.select(
                        column, Count(table.id),
                        where=table.id.in_(query),
                        group_by=[column]))
                counts.update(cursor)
        return result

    @classmethod
    def get_lifetime_value(cls, parties, name):
        pool = Pool()
        Invoice = pool.get('account.invoice')
        values = {p.id: Decimal(0) for p in parties}
        if not _readable('account.invoice'):
            return {p.id: None for p in parties}
        for sub_ids in grouped_slice(values.keys(), 1000):
            for invoice in Invoice.search([
                        ('party', 'in', list(sub_ids)),
                        ('type', '=', 'out'),
                        ('state', 'in', ['posted', 'paid']),
                        ]):
                values[invoice.party.id] += invoice.total_amount
        return values

    @classmethod
    def get_customer_360_dates(cls, parties, names):
        """A visit is a contact too: the visits are queried once for
        both dates"""
        sources = {}
        if 'last_purchase' in names:
            sources['last_purchase'] = cls._customer_360_last_purchases(
                parties)
        if {'last_visit', 'last_contact'} & set(names):
            sources['last_visit'] = cls._customer_360_last_visits(parties)
        if 'last_contact' in names:
            sources['last_contact'] = (sources['last_visit']
                + cls._customer_360_last_contacts(parties))
        result = {}
        for name in names:
            latest = _latest_of(parties, sources[name])
            if name == 'last_purchase':
                latest = {k: v and v.date() for k, v in latest.items()}
            result[name] = latest
        return result

    @classmethod
    def _latest(cls, parties, model_name, field, date_column, domain):
        "{party id: latest date_column} of model_name records readable"
        pool = Pool()
        if not _readable(model_name):
            return {}
        Model = pool.get(model_name)
        table = Model.__table__()
        column = getattr(table, field)
        cursor = Transaction().connection.cursor()
        latest = {}
        for sub_ids in grouped_slice([p.id for p in parties], 1000):
            query = Model.search(
                [(field, 'in', list(sub_ids))] + domain, query=True)
            cursor.execute(*table.select(
                    column, Max(getattr(table, date_column)),
                    where=table.id.in_(query), group_by=[column]))
            latest.update(cursor)
        return latest

    @classmethod
    def _customer_360_last_purchases(cls, parties):
        return [cls._latest(parties, 'sale.sale', 'party', 'sale_date', [
                    ('state', 'in', ['confirmed', 'processing', 'done']),
                    ])]

    @classmethod
    def _customer_360_last_visits(cls, parties):
        "Showroom visits; jewel_telecalling adds them"
        return []

    @classmethod
    def _customer_360_last_contacts(cls, parties):
        """Any exchange with the customer but visits (counted as contacts
        by get_customer_360_dates): documents here, calls and messages"""
        return [
            cls._latest(parties, 'sale.sale', 'party', 'create_date', []),
            cls._latest(
                parties, 'sale.opportunity', 'party', 'create_date', []),
            cls._latest(
                parties, 'sale.complaint', 'customer', 'create_date', []),
            ]

    @classmethod
    @ModelView.button_action('jewel_crm.act_customer_sales')
    def open_sales(cls, parties):
        pass

    @classmethod
    @ModelView.button_action('jewel_crm.act_customer_invoices')
    def open_invoices(cls, parties):
        pass

    @classmethod
    @ModelView.button_action('jewel_crm.act_customer_opportunities')
    def open_opportunities(cls, parties):
        pass

    @classmethod
    @ModelView.button_action('jewel_crm.act_customer_complaints')
    def open_complaints(cls, parties):
        pass


class Invoice(metaclass=PoolMeta):
    __name__ = 'account.invoice'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        # the 360's invoice count and lifetime value start from the customer
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.party, Index.Range())))


class Complaint(metaclass=PoolMeta):
    __name__ = 'sale.complaint'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        # the 360's complaint count starts from the customer
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.customer, Index.Range())))


def _readable(model_name):
    """Whether the user's groups may read model_name; function fields are
    computed without access checks, so ask for the groups' access"""
    if Transaction().user == 0:
        return True
    ModelAccess = Pool().get('ir.model.access')
    access = ModelAccess.get_access([model_name])[model_name]['read']
    return access is None or bool(access)


def _latest_of(parties, sources):
    "{party id: latest datetime} over sources, lists of {party id: date}"
    latest = {p.id: None for p in parties}
    for dates in sources:
        for party_id, date in dates.items():
            date = _as_datetime(date)
            if date and (latest[party_id] is None or date > latest[party_id]):
                latest[party_id] = date
    return latest


def _as_datetime(value):
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    # SQLite returns dates and timestamps of aggregates as text
    return dt.datetime.fromisoformat(str(value))


class OpenCustomer(Wizard):
    """Open the customers double-clicked in the customer list on their 360
    form, in a tab of their own.

    The list's own tab does not switch to the form on a double-click: after
    a search the web client updates its URL on the first click and, when
    the form is shown before it handles that change, opens the list again
    in a second tab."""
    __name__ = 'jewel.customer.open'
    start_state = 'open_'
    open_ = StateAction('jewel_crm.act_customer_open')

    def do_open_(self, action):
        return action, {'res_id': [r.id for r in self.records]}
