# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"Configurable tables of the customer profile: ring sizes and lead sources"
from trytond.model import (
    DeactivableMixin, ModelSQL, ModelView, sequence_ordered, fields)

from .company_field import TenantMixin, tenant_company_field
from .bounds import bounded

RING_SIZE_SYSTEMS = [
    ('in', "India"),
    ('us', "US"),
    ('uk', "UK"),
    ('eu', "EU"),
    ]


class RingSize(sequence_ordered(), ModelSQL, ModelView):
    """A ring size of one sizing system, keyed on the inner circumference.

    The tables are shared by every business, like countries; an
    administrator may correct or extend them."""
    __name__ = 'jewel.ring_size'
    system = fields.Selection(RING_SIZE_SYSTEMS, "System", required=True)
    system_string = system.translated('system')
    size = fields.Char("Size", required=True)
    circumference = fields.Numeric(
        "Inner Circumference (mm)", digits=(5, 2), required=True,
        domain=bounded('circumference', above=0))

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [
            ('system', 'ASC'), ('circumference', 'ASC'), ('id', 'ASC')]

    def get_rec_name(self, name):
        return '%s %s' % (self.system_string, self.size)

    @classmethod
    def search_rec_name(cls, name, clause):
        _, operator, operand, *extra = clause
        return ['OR',
            ('size', operator, operand, *extra),
            ]

    @classmethod
    def nearest(cls, circumference, system):
        "The size of system closest to circumference (mm)"
        sizes = cls.search([('system', '=', system)])
        if not sizes or circumference is None:
            return None
        return min(sizes, key=lambda s: abs(s.circumference - circumference))

    @classmethod
    def equivalents(cls, circumference):
        "The nearest size in every system, e.g. 'India 14 · US 7 · ...'"
        names = []
        for system, label in RING_SIZE_SYSTEMS:
            size = cls.nearest(circumference, system)
            if size:
                names.append('%s %s' % (label, size.size))
        return ' · '.join(names)


class LeadSource(
        TenantMixin, DeactivableMixin, sequence_ordered(),
        ModelSQL, ModelView):
    "Where a customer heard of the business; each business keeps its list"
    __name__ = 'jewel.lead_source'
    company = tenant_company_field(required=True)
    name = fields.Char("Name", required=True, translate=True)
    code = fields.Char("Code", required=True,
        help="Short identifier used by imports, e.g. 'instagram'.")
    needs_referrer = fields.Boolean("Needs Referrer",
        help="Ask which customer referred this one.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.make_unique_per_company(
            None, 'code_company_exclude', lambda t: (t.code,),
            'jewel_crm.msg_lead_source_code_unique')

    DEFAULTS = [
        ('walk_in', "Walk-in", False),
        ('referral', "Referral", True),
        ('instagram', "Instagram", False),
        ('facebook', "Facebook", False),
        ('google', "Google", False),
        ('website', "Website", False),
        ('whatsapp', "WhatsApp", False),
        ('exhibition', "Exhibition", False),
        ('other', "Other", False),
        ]

    @classmethod
    def create_defaults(cls, company):
        "The standard list for a new business"
        return cls.create([{
                    'company': company.id, 'code': code, 'name': name,
                    'needs_referrer': needs_referrer, 'sequence': i * 10,
                    } for i, (code, name, needs_referrer)
                in enumerate(cls.DEFAULTS, start=1)])
