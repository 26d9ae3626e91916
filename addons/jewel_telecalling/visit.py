# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"Walk-in visits recorded at the counter"
import datetime as dt

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.model.exceptions import ValidationError
from trytond.pool import Pool
from trytond.pyson import Bool, Eval, If
from trytond.transaction import Transaction

from jewel_crm import phone
from jewel_crm.company_field import TenantMixin, tenant_company_field
from jewel_crm.showroom import ShowroomMixin

PURPOSES = [
    ('wedding', "Wedding"),
    ('engagement', "Engagement"),
    ('gifting', "Gifting"),
    ('festival', "Festival"),
    ('self', "Self"),
    ('investment', "Investment"),
    ('repair_exchange', "Repair / Exchange"),
    ('browsing', "Just Browsing"),
    ]
COMPANIONS = [
    ('alone', "Alone"),
    ('spouse', "Spouse / Partner"),
    ('family', "Family"),
    ('parents', "Parents"),
    ('friends', "Friends"),
    ]
INTEREST_LEVELS = [('hot', "Hot"), ('warm', "Warm"), ('cold', "Cold")]
INTEREST_PRIORITY = {'hot': 'high', 'warm': 'medium', 'cold': 'low'}
LEAD_QUALITY = [
    (None, ''),
    ('1', "1 – Poor"), ('2', "2 – Fair"), ('3', "3 – Good"),
    ('4', "4 – Very Good"), ('5', "5 – Excellent"),
    ]


class Visit(ShowroomMixin, TenantMixin, ModelSQL, ModelView):
    "Showroom Visit"
    __name__ = 'jewel.visit'
    company = tenant_company_field(required=True)
    date = fields.DateTime("Date", required=True)
    phone = fields.Char("Phone",
        help="Type the customer's number: a known customer is found, "
        "otherwise one is created with the name below.")
    customer_name = fields.Char("New Customer's Name",
        states={'invisible': Bool(Eval('party'))})
    party = fields.Many2One('party.party', "Customer", ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))],
        context={'company': Eval('company', -1)}, depends={'company'})
    sales_rep = fields.Many2One('res.user', "Sales Rep", readonly=True)
    purpose = fields.Selection(PURPOSES, "Purpose", required=True)
    categories = fields.Many2Many('jewel.visit-product.category', 'visit',
        'category', "Categories Seen",
        domain=[('company', 'in', [None, Eval('company', -1)])])
    pieces_seen = fields.Text("Pieces Seen")
    budget = fields.Numeric("Budget", digits=(16, 2),
        domain=[If(Bool(Eval('budget')), ('budget', '>=', 0), ())])
    companions = fields.Selection(COMPANIONS, "Came With", required=True)
    interest_level = fields.Selection(INTEREST_LEVELS, "Interest",
        required=True, sort=False)
    lead_quality = fields.Selection(LEAD_QUALITY, "Lead Quality",
        sort=False, help="How likely the sales rep thinks a sale is.")
    notes = fields.Text("Notes")
    lead = fields.Many2One('jewel.telecalling.lead', "Lead", readonly=True,
        ondelete='SET NULL')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(
            Index(t, (t.party, Index.Equality()), (t.date, Index.Range())))
        cls._order = [('date', 'DESC'), ('id', 'DESC')]

    @classmethod
    def default_date(cls):
        return dt.datetime.now()

    @classmethod
    def default_sales_rep(cls):
        return Transaction().user

    @classmethod
    def default_purpose(cls):
        return 'self'

    @classmethod
    def default_companions(cls):
        return 'alone'

    @classmethod
    def default_interest_level(cls):
        return 'warm'

    def get_rec_name(self, name):
        return '%s @ %s' % (
            self.party.rec_name if self.party else '', self.date)

    @fields.depends('phone', 'party', 'company')
    def on_change_phone(self):
        if self.phone and not self.party:
            self.party = self.find_customer(
                self.phone, self.company and self.company.id)

    @fields.depends('party')
    def on_change_party(self):
        if self.party:
            self.phone = self.party.mobile or self.party.phone

    @classmethod
    def find_customer(cls, number, company_id):
        "The customer of company_id with number as phone, or None"
        Party = Pool().get('party.party')
        parties = Party.search([
                ('company', '=', company_id),
                ['OR', ('mobile', '=', number), ('phone', '=', number)],
                ], limit=1)
        return parties[0] if parties else None

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if mode == 'create' and not values.get('party'):
            values['party'] = cls._customer_for(values).id
        return values

    @classmethod
    def _customer_for(cls, values):
        "The customer with the visit's phone, created when unknown"
        Party = Pool().get('party.party')
        company_id = values.get('company') or cls.default_company()
        number = (values.get('phone') or '').strip()
        name = (values.get('customer_name') or '').strip()
        if not number:
            raise ValidationError(gettext(
                    'jewel_telecalling.msg_visit_customer_needed'))
        customer = cls.find_customer(number, company_id)
        if customer:
            return customer
        if not phone.to_e164(number, phone.company_region()):
            raise ValidationError(gettext(
                    'jewel_telecalling.msg_visit_phone_invalid',
                    phone=number))
        if not name:
            raise ValidationError(gettext(
                    'jewel_telecalling.msg_visit_name_needed', phone=number))
        customer, = Party.create([{
                    'name': name,
                    'is_customer': True,
                    'company': company_id,
                    'contact_mechanisms': [('create', [{
                                    'type': 'mobile', 'value': number}])],
                    }])
        return customer

    @classmethod
    def on_modification(cls, mode, visits, field_names=None):
        pool = Pool()
        Lead = pool.get('jewel.telecalling.lead')
        Call = pool.get('jewel.call')
        Score = pool.get('jewel.customer.score')
        super().on_modification(mode, visits, field_names=field_names)
        if mode == 'create':
            Lead.feed_from_visits(visits)
            Call.fulfil_revisits(visits)
            Score.compute_for([v.party for v in visits])


class VisitCategory(ModelSQL):
    "Visit - Product Category"
    __name__ = 'jewel.visit-product.category'
    visit = fields.Many2One('jewel.visit', "Visit", required=True,
        ondelete='CASCADE')
    category = fields.Many2One('product.category', "Category",
        required=True, ondelete='CASCADE')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('visit')
