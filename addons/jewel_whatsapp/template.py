# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"Message templates approved by Meta and how their parameters are filled"
import datetime as dt
import re

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, Unique, fields
from trytond.model.exceptions import ValidationError
from trytond.pyson import Eval

from jewel_crm.company_field import TenantMixin, tenant_company_field
from jewel_crm.formats import format_amount
from jewel_crm.bounds import bounded

from .document import currency_of, parameter_value

# Values a template parameter can take from the customer or the document
SOURCES = [
    ('customer_name', "Customer Name"),
    ('company_name', "Business Name"),
    ('document_number', "Document Number (invoice, repair claim, ...)"),
    ('amount', "Amount"),
    ('due_date', "Due Date"),
    ('fixed', "Fixed Text"),
    ]
PLACEHOLDER = re.compile(r'\{\{(\d+)\}\}')


class Template(TenantMixin, ModelSQL, ModelView):
    "WhatsApp Template"
    __name__ = 'jewel.whatsapp.template'
    company = tenant_company_field(required=True)
    account = fields.Many2One('jewel.whatsapp.account', "Account",
        required=True, ondelete='CASCADE',
        domain=[('company', '=', Eval('company', -1))])
    name = fields.Char("Name", required=True, readonly=True)
    language = fields.Char("Language", required=True, readonly=True)
    status = fields.Char("Status", readonly=True,
        help="As Meta reports it: APPROVED, PENDING, REJECTED, PAUSED...")
    category = fields.Char("Category", readonly=True)
    remote_id = fields.Char("Meta ID", readonly=True)
    components = fields.Dict(None, "Components", readonly=True)
    body = fields.Function(fields.Text("Body"), 'get_body')
    parameter_count = fields.Function(
        fields.Integer("Parameters"), 'get_parameter_count')
    parameters = fields.One2Many('jewel.whatsapp.template.parameter',
        'template', "Parameter Mapping")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('account_name_language_unique',
                Unique(t, t.account, t.name, t.language),
                'jewel_whatsapp.msg_template_unique'),
            ]
        cls._order.insert(0, ('name', 'ASC'))

    def get_rec_name(self, name):
        return f'{self.name} ({self.language})'

    @classmethod
    def search_rec_name(cls, name, clause):
        return [('name',) + tuple(clause[1:])]

    def _component(self, kind):
        for component in (self.components or {}).get('list', []):
            if (component.get('type') or '').upper() == kind:
                return component
        return None

    def get_body(self, name):
        body = self._component('BODY')
        return body.get('text') if body else None

    def get_parameter_count(self, name):
        numbers = PLACEHOLDER.findall(self.body or '')
        return max(map(int, numbers), default=0)

    @property
    def approved(self):
        return (self.status or '').upper() == 'APPROVED'

    @classmethod
    def update_from_api(cls, account, remote):
        "Create or update the templates of account from the API's list"
        existing = {(t.name, t.language): t for t in cls.search([
                    ('account', '=', account.id)])}
        to_save = []
        for data in remote:
            key = (data.get('name'), data.get('language'))
            if not all(key):
                continue
            template = existing.get(key) or cls(
                account=account, company=account.company,
                name=key[0], language=key[1])
            template.status = data.get('status')
            template.category = data.get('category')
            template.remote_id = data.get('id')
            template.components = {'list': data.get('components') or []}
            to_save.append(template)
        cls.save(to_save)
        return to_save

    def render_parameters(self, party, document=None):
        "The body parameter values in order, from the mapping"
        mapping = {p.position: p for p in self.parameters}
        values = []
        for position in range(1, self.parameter_count + 1):
            parameter = mapping.get(position)
            if not parameter:
                raise ValidationError(gettext(
                        'jewel_whatsapp.msg_template_parameter_unmapped',
                        template=self.rec_name, position=position))
            values.append(parameter.value(party, document))
        return values

    @property
    def header_format(self):
        "TEXT, IMAGE, DOCUMENT... of the header, or None"
        header = self._component('HEADER')
        return (header.get('format') or 'TEXT').upper() if header else None

    def payload(self, values, document=None):
        """The template part of a message carrying values, and the
        document {id, filename} of a DOCUMENT header"""
        components = []
        if document is not None:
            components.append({'type': 'header', 'parameters': [
                        {'type': 'document', 'document': document}]})
        if values:
            components.append({'type': 'body', 'parameters': [
                        {'type': 'text', 'text': v} for v in values]})
        return {'name': self.name, 'language': {'code': self.language},
            'components': components}


class TemplateParameter(TenantMixin, ModelSQL, ModelView):
    "WhatsApp Template Parameter"
    __name__ = 'jewel.whatsapp.template.parameter'
    company = tenant_company_field(required=True)
    template = fields.Many2One('jewel.whatsapp.template', "Template",
        required=True, ondelete='CASCADE',
        domain=[('company', '=', Eval('company', -1))])
    position = fields.Integer("Position", required=True,
        domain=bounded('position', above=0), help="n of {{n}} in the body.")
    source = fields.Selection(SOURCES, "Filled With", required=True)
    fixed_text = fields.Char("Fixed Text",
        states={
            'invisible': Eval('source') != 'fixed',
            'required': Eval('source') == 'fixed',
            })

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('template_position_unique', Unique(t, t.template, t.position),
                'jewel_whatsapp.msg_template_parameter_unique'),
            ]
        cls._order.insert(0, ('position', 'ASC'))

    def get_rec_name(self, name):
        return '{{%s}}' % self.position

    def value(self, party, document=None):
        "The text for this parameter from the customer and the document"
        if self.source == 'customer_name':
            return party.name
        if self.source == 'company_name':
            return self.company.rec_name
        if self.source == 'fixed':
            return self.fixed_text
        # the document's fields, by name (see document.py)
        value = parameter_value(document, self.source)
        if value is not None:
            return _text(value, document, self.company)
        raise ValidationError(gettext(
                'jewel_whatsapp.msg_template_parameter_no_value',
                position=self.position, source=self.source))


def _text(value, document, company):
    if isinstance(value, dt.date):
        return value.strftime('%d %b %Y')
    currency = currency_of(document) or company.currency
    if currency is not None and not isinstance(value, str):
        # the business's formats: ₹1,89,157.81 for a business in India
        return format_amount(value, currency, company)
    return str(value)
