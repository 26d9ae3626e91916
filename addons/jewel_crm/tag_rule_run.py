# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"The log of the runs of the tag rules"
import datetime as dt

from trytond.model import ModelSQL, ModelView, fields
from trytond.pyson import Eval

from .bounds import bounded
from .company_field import TenantMixin, tenant_company_field


class TagRuleRun(TenantMixin, ModelSQL, ModelView):
    "One run of a tag rule: what it changed and how long it took"
    __name__ = 'jewel.tag.rule.run'
    company = tenant_company_field(required=True)
    rule = fields.Many2One(
        'jewel.tag.rule', "Rule", required=True, ondelete='CASCADE',
        readonly=True, domain=[('company', '=', Eval('company', -1))])
    date = fields.DateTime("Date", required=True, readonly=True)
    added = fields.Integer("Added", readonly=True,
        domain=bounded('added', at_least=0))
    removed = fields.Integer("Removed", readonly=True,
        domain=bounded('removed', at_least=0))
    duration = fields.Float("Duration (s)", digits=(16, 3), readonly=True,
        domain=bounded('duration', at_least=0))

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('date', 'DESC'), ('id', 'DESC')]

    @classmethod
    def default_date(cls):
        return dt.datetime.now()
