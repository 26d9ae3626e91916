# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"Per-business settings of segments and engagement: reminders and loyalty"
from decimal import Decimal

from trytond.model import ModelSQL, ModelView, Unique, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction

from .company_field import TenantMixin, tenant_company_field
from .bounds import bounded


class EngagementSettings(TenantMixin, ModelSQL, ModelView):
    "How a business reminds its staff and rewards its customers"
    __name__ = 'jewel.engagement.settings'
    company = tenant_company_field(required=True)
    reminder_days = fields.Integer(
        "Remind Days Before", required=True,
        domain=bounded('reminder_days', at_least=0, at_most=60),
        help="How many days before an occasion the sales rep is reminded.")
    loyalty_rate = fields.Numeric(
        "Points per 100", digits=(16, 2), required=True,
        domain=bounded('loyalty_rate', at_least=0),
        help="Points earned for each 100 of currency invoiced.")
    loyalty_point_value = fields.Numeric(
        "Value of a Point", digits=(16, 2), required=True,
        domain=bounded('loyalty_point_value', above=0),
        help="The discount one point gives when redeemed.")
    loyalty_redeem_cap = fields.Numeric(
        "Redemption Cap (%)", digits=(5, 2), required=True,
        domain=[
            ('loyalty_redeem_cap', '>=', 0),
            ('loyalty_redeem_cap', '<=', 100),
            ],
        help="The largest share of a sale that points may pay.")
    loyalty_expiry_months = fields.Integer(
        "Points Expire After (months)",
        domain=['OR',
            ('loyalty_expiry_months', '=', None),
            ('loyalty_expiry_months', '>', 0),
            ],
        help="Leave empty for points that never expire.")
    loyalty_excluded_categories = fields.Many2Many(
        'jewel.engagement.settings-product.category', 'settings', 'category',
        "Categories Earning No Points",
        domain=[('company', '=', Eval('company', -1))],
        help="e.g. coins and bullion.")
    loyalty_product = fields.Many2One(
        'product.product', "Redemption Product", ondelete='RESTRICT',
        domain=[
            ('type', '=', 'service'),
            ('template.company', '=', Eval('company', -1)),
            ],
        context={'company': Eval('company', -1)},
        depends={'company'},
        help="The service product of the discount line of redeemed points.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('company_unique', Unique(t, t.company),
                'jewel_crm.msg_engagement_settings_unique'),
            ]

    @classmethod
    def default_reminder_days(cls):
        return 3

    @classmethod
    def default_loyalty_rate(cls):
        return Decimal(1)

    @classmethod
    def default_loyalty_point_value(cls):
        return Decimal(1)

    @classmethod
    def default_loyalty_redeem_cap(cls):
        return Decimal(10)

    @classmethod
    def default_loyalty_expiry_months(cls):
        return 24

    def get_rec_name(self, name):
        return self.company.rec_name

    @classmethod
    def of_company(cls, company_id):
        "The settings of a business; the defaults when it has none"
        settings = cls.search([('company', '=', company_id)], limit=1)
        if settings:
            return settings[0]
        with Transaction().set_context(company=company_id):
            values = cls.default_get(list(cls._fields), with_rec_name=False)
        values.update(company=company_id)
        values.setdefault('loyalty_product', None)
        values.setdefault('loyalty_excluded_categories', [])
        values.pop('id', None)
        return cls(**values)


class EngagementSettingsCategory(ModelSQL):
    "Engagement Settings - Product Category"
    __name__ = 'jewel.engagement.settings-product.category'
    settings = fields.Many2One(
        'jewel.engagement.settings', "Settings", required=True,
        ondelete='CASCADE')
    category = fields.Many2One(
        'product.category', "Category", required=True, ondelete='CASCADE')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        # the parent's business scopes the link (its rules and access)
        cls.__access__.add('settings')


def companies():
    "Every business, for the nightly jobs that run for all of them"
    Company = Pool().get('company.company')
    return Company.search([])


class Cron(metaclass=PoolMeta):
    __name__ = 'ir.cron'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.method.selection.extend(NIGHTLY_JOBS)


# The nightly jobs of segments and engagement
NIGHTLY_JOBS = [
    ('jewel.tier|compute_all', "Compute Customer Tiers"),
    ('jewel.tag.rule|run_all', "Run Auto-Tag Rules"),
    ('jewel.reminder|generate', "Create Occasion Reminders"),
    ('jewel.loyalty.entry|expire_all', "Expire Loyalty Points"),
    ]
