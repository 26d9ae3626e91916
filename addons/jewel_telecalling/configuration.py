# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"Telecalling settings of a business"
import datetime as dt

from trytond.i18n import gettext
from trytond.model import ModelSingleton, ModelSQL, ModelView, fields
from trytond.model.exceptions import ValidationError
from trytond.modules.company.model import (
    CompanyMultiValueMixin, CompanyValueMixin)
from trytond.pool import Pool
from trytond.tools import timezone as tz

from jewel_crm.bounds import bounded
from jewel_crm.settings import (
    SettingsMixin, SettingsValueMixin, default_func, keep_rows)

PRIORITIES = [('high', "High"), ('medium', "Medium"), ('low', "Low")]
# Every weight of the score formulas, see score.py
WEIGHTS = [
    'weight_visit', 'weight_connected_call', 'weight_purchase',
    'weight_recent', 'weight_sentiment', 'weight_revisit',
    'weight_lead_quality', 'weight_buyer',
    ]


def _weight_domain(name):
    # the scores are clamped to 0..100: a weight above 100 counts no more
    return [(name, '>=', 0), (name, '<=', 100)]


call_attempts = fields.Integer("Call Attempts", required=True,
    domain=bounded('call_attempts', above=0),
    help="Unanswered calls after which a lead is given up.")
retry_hours = fields.Integer("Hours Between Attempts", required=True,
    domain=bounded('retry_hours', at_least=0),
    help="Delay before calling again a customer who did not answer.")
calling_start = fields.Time("Calls From", required=True,
    help="The business's calling hours, in the business's timezone: "
    "a retry or a call back falls within them.")
calling_end = fields.Time("Calls Until", required=True,
    help="The business's calling hours, in the business's timezone: "
    "a retry or a call back falls within them.")
sla_high = fields.Integer("Call Within (High Priority)", required=True,
    domain=bounded('sla_high', at_least=0),
    help="Hours from the lead's creation.")
sla_medium = fields.Integer(
    "Call Within (Medium Priority)", required=True,
    domain=bounded('sla_medium', at_least=0),
    help="Hours from the lead's creation.")
sla_low = fields.Integer("Call Within (Low Priority)", required=True,
    domain=bounded('sla_low', at_least=0),
    help="Hours from the lead's creation.")
leads_from_imports = fields.Boolean("Create Leads from Imports",
    help="Imported customers without an open lead get one to call.")
priority_import = fields.Selection(PRIORITIES, "Priority of Imported Leads",
    required=True, sort=False)
priority_whatsapp = fields.Selection(PRIORITIES,
    "Priority of WhatsApp Enquiries", required=True, sort=False)
priority_manual = fields.Selection(PRIORITIES,
    "Priority of Leads Entered by Hand", required=True, sort=False,
    help="Visits take their priority from the interest level.")
weight_visit = fields.Integer("Per Visit (90 Days)", required=True,
    domain=_weight_domain('weight_visit'))
weight_connected_call = fields.Integer(
    "Per Connected Call (90 Days)", required=True,
    domain=_weight_domain('weight_connected_call'))
weight_purchase = fields.Integer(
    "Per Purchase (365 Days)", required=True,
    domain=_weight_domain('weight_purchase'))
weight_recent = fields.Integer("Contact in the Last 30 Days",
    required=True,
    domain=_weight_domain('weight_recent'))
weight_sentiment = fields.Integer(
    "Per Positive Call less Negative Calls (90 Days)", required=True,
    domain=_weight_domain('weight_sentiment'))
weight_revisit = fields.Integer("Revisit Promised", required=True,
    domain=_weight_domain('weight_revisit'))
weight_lead_quality = fields.Integer(
    "Per Star of Lead Quality", required=True,
    domain=_weight_domain('weight_lead_quality'),
    help="Times the rating (1 to 5) of the latest visit.")
weight_buyer = fields.Integer("Has Bought (365 Days)", required=True,
    domain=_weight_domain('weight_buyer'))


class Configuration(SettingsMixin, ModelSingleton, ModelSQL, ModelView,
        CompanyMultiValueMixin):
    "Telecalling Configuration"
    __name__ = 'jewel.telecalling.configuration'
    call_attempts = fields.MultiValue(call_attempts)
    retry_hours = fields.MultiValue(retry_hours)
    calling_start = fields.MultiValue(calling_start)
    calling_end = fields.MultiValue(calling_end)
    sla_high = fields.MultiValue(sla_high)
    sla_medium = fields.MultiValue(sla_medium)
    sla_low = fields.MultiValue(sla_low)
    leads_from_imports = fields.MultiValue(leads_from_imports)
    priority_import = fields.MultiValue(priority_import)
    priority_whatsapp = fields.MultiValue(priority_whatsapp)
    priority_manual = fields.MultiValue(priority_manual)
    weight_visit = fields.MultiValue(weight_visit)
    weight_connected_call = fields.MultiValue(weight_connected_call)
    weight_purchase = fields.MultiValue(weight_purchase)
    weight_recent = fields.MultiValue(weight_recent)
    weight_sentiment = fields.MultiValue(weight_sentiment)
    weight_revisit = fields.MultiValue(weight_revisit)
    weight_lead_quality = fields.MultiValue(weight_lead_quality)
    weight_buyer = fields.MultiValue(weight_buyer)

    @classmethod
    def __register__(cls, module):
        keep_rows(cls, ConfigurationCompany._rows_table)
        super().__register__(module)

    @classmethod
    def multivalue_model(cls, field):
        if isinstance(cls._fields.get(field), fields.MultiValue):
            return Pool().get('jewel.telecalling.configuration.company')
        return super().multivalue_model(field)

    default_call_attempts = default_func('call_attempts')
    default_retry_hours = default_func('retry_hours')
    default_calling_start = default_func('calling_start')
    default_calling_end = default_func('calling_end')
    default_sla_high = default_func('sla_high')
    default_sla_medium = default_func('sla_medium')
    default_sla_low = default_func('sla_low')
    default_leads_from_imports = default_func('leads_from_imports')
    default_priority_import = default_func('priority_import')
    default_priority_whatsapp = default_func('priority_whatsapp')
    default_priority_manual = default_func('priority_manual')
    default_weight_visit = default_func('weight_visit')
    default_weight_connected_call = default_func('weight_connected_call')
    default_weight_purchase = default_func('weight_purchase')
    default_weight_recent = default_func('weight_recent')
    default_weight_sentiment = default_func('weight_sentiment')
    default_weight_revisit = default_func('weight_revisit')
    default_weight_lead_quality = default_func('weight_lead_quality')
    default_weight_buyer = default_func('weight_buyer')

    @classmethod
    def validate_fields(cls, configurations, field_names):
        super().validate_fields(configurations, field_names)
        # Checked once both hours are written: the singleton writes each
        # value on its own
        if field_names is None or field_names & {
                'calling_start', 'calling_end'}:
            for configuration in configurations:
                configuration.check_calling_hours()

    def check_calling_hours(self):
        if self.calling_start >= self.calling_end:
            raise ValidationError(gettext(
                    'jewel_telecalling.msg_configuration_calling_hours',
                    start=self.calling_start.strftime('%H:%M'),
                    end=self.calling_end.strftime('%H:%M')))

    def sla(self, priority):
        "The delay within which a lead of priority must be called"
        return dt.timedelta(hours=getattr(self, f'sla_{priority}'))

    def source_priority(self, source):
        "The priority of a new lead from source (visits: warm)"
        return getattr(self, f'priority_{source}', None) or 'medium'

    def retry_delay(self):
        return dt.timedelta(hours=self.retry_hours)

    def retry_time(self, date):
        "When to call again after an unanswered call at date (naive UTC)"
        return self.calling_time(date + self.retry_delay())

    def calling_time(self, date):
        """The first moment from date (naive UTC, as stored) within the
        calling hours, in naive UTC: a customer is not rung at night"""
        zone = self._timezone()
        local = date.replace(tzinfo=tz.UTC).astimezone(zone)
        if local.time() < self.calling_start:
            return self.calling_day(local.date())
        elif local.time() >= self.calling_end:
            return self.calling_day(local.date() + dt.timedelta(days=1))
        return date

    def calling_day(self, date):
        "The start of the calling hours of the day date (naive UTC)"
        start = dt.datetime.combine(
            date, self.calling_start, tzinfo=self._timezone())
        return start.astimezone(tz.UTC).replace(tzinfo=None)

    def _timezone(self):
        "The business's timezone, the server's when it has none"
        company = self.settings_company
        timezone = company and company.timezone
        return tz.get_tzinfo(timezone) if timezone else tz.SERVER


class ConfigurationCompany(SettingsValueMixin, ModelSQL, CompanyValueMixin):
    "Telecalling Configuration of a Business"
    __name__ = 'jewel.telecalling.configuration.company'
    _rows_table = 'jewel_telecalling_configuration_rows'
    _company_unique_message = (
        'jewel_telecalling.msg_configuration_company_unique')
    call_attempts = call_attempts
    retry_hours = retry_hours
    calling_start = calling_start
    calling_end = calling_end
    sla_high = sla_high
    sla_medium = sla_medium
    sla_low = sla_low
    leads_from_imports = leads_from_imports
    priority_import = priority_import
    priority_whatsapp = priority_whatsapp
    priority_manual = priority_manual
    weight_visit = weight_visit
    weight_connected_call = weight_connected_call
    weight_purchase = weight_purchase
    weight_recent = weight_recent
    weight_sentiment = weight_sentiment
    weight_revisit = weight_revisit
    weight_lead_quality = weight_lead_quality
    weight_buyer = weight_buyer

    @classmethod
    def default_call_attempts(cls):
        return 3

    @classmethod
    def default_retry_hours(cls):
        return 4

    @classmethod
    def default_calling_start(cls):
        return dt.time(10, 0)

    @classmethod
    def default_calling_end(cls):
        return dt.time(19, 0)

    @classmethod
    def default_sla_high(cls):
        return 4

    @classmethod
    def default_sla_medium(cls):
        return 24

    @classmethod
    def default_sla_low(cls):
        return 72

    @classmethod
    def default_leads_from_imports(cls):
        return True

    @classmethod
    def default_priority_import(cls):
        return 'low'

    @classmethod
    def default_priority_whatsapp(cls):
        return 'high'

    @classmethod
    def default_priority_manual(cls):
        return 'medium'

    @classmethod
    def default_weight_visit(cls):
        return 10

    @classmethod
    def default_weight_connected_call(cls):
        return 5

    @classmethod
    def default_weight_purchase(cls):
        return 20

    @classmethod
    def default_weight_recent(cls):
        return 15

    @classmethod
    def default_weight_sentiment(cls):
        return 15

    @classmethod
    def default_weight_revisit(cls):
        return 20

    @classmethod
    def default_weight_lead_quality(cls):
        return 8

    @classmethod
    def default_weight_buyer(cls):
        return 10

    @classmethod
    def validate_fields(cls, configurations, field_names):
        super().validate_fields(configurations, field_names)
        for configuration in configurations:
            for name in ['call_attempts', 'retry_hours', 'sla_high',
                    'sla_medium', 'sla_low', *WEIGHTS]:
                if (getattr(configuration, name) or 0) < 0 or (
                        name == 'call_attempts'
                        and configuration.call_attempts < 1):
                    raise ValidationError(gettext(
                            'jewel_telecalling.msg_configuration_negative',
                            field=cls.fields_get([name])[name]['string']))


def configuration(company_id=None):
    return Pool().get('jewel.telecalling.configuration').get(company_id)
