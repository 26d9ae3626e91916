# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"Campaigns: one template to a segment of customers at a chosen time"
import ast
import datetime as dt

from sql import Literal, Null, Window
from sql.aggregate import Count
from sql.conditionals import Case
from sql.functions import RowNumber

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, Workflow, fields
from trytond.model.exceptions import ValidationError
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.tools import grouped_slice
from trytond.transaction import Transaction

from jewel_crm.company_field import TenantMixin, tenant_company_field
from jewel_crm.tenancy import check_context
from jewel_crm.bounds import bounded

# Template parameters a campaign can fill for every recipient
CAMPAIGN_SOURCES = {'customer_name', 'company_name', 'fixed'}


class Campaign(TenantMixin, Workflow, ModelSQL, ModelView):
    "WhatsApp Campaign"
    __name__ = 'jewel.whatsapp.campaign'
    _states = {'readonly': Eval('state') != 'draft'}
    company = tenant_company_field(required=True)
    name = fields.Char("Name", required=True, states=_states)
    account = fields.Many2One('jewel.whatsapp.account', "Account",
        required=True, ondelete='RESTRICT', states=_states,
        domain=[('company', '=', Eval('company', -1))])
    template = fields.Many2One('jewel.whatsapp.template', "Template",
        required=True, ondelete='RESTRICT', states=_states,
        domain=[('account', '=', Eval('account', -1))])
    tags = fields.Many2Many('jewel.whatsapp.campaign-party.category',
        'campaign', 'category', "Tags", states=_states,
        domain=[('company', '=', Eval('company', -1))],
        help="Customers with any of these tags; all customers when empty.")
    tiers = fields.Many2Many('jewel.whatsapp.campaign-jewel.tier',
        'campaign', 'tier', "Tiers", states=_states,
        domain=[('company', '=', Eval('company', -1))],
        help="Customers in any of these tiers; every tier when empty.")
    segment_domain = fields.Char("Filter", states=_states,
        help="Extra filter on customers, as a Tryton domain, e.g. "
        "[('preferred_metals', 'in', ['yellow_gold'])].")
    scheduled_at = fields.DateTime("Send At", states=_states)
    launched_at = fields.DateTime("Launched", readonly=True)
    state = fields.Selection([
            ('draft', "Draft"),
            ('scheduled', "Scheduled"),
            ('launched', "Launched"),
            ('cancelled', "Cancelled"),
            ], "State", required=True, readonly=True, sort=False)
    skipped_no_consent = fields.Integer("Skipped (no consent)",
        readonly=True,
        domain=bounded('skipped_no_consent', at_least=0))
    skipped_no_phone = fields.Integer("Skipped (no WhatsApp number)",
        readonly=True,
        domain=bounded('skipped_no_phone', at_least=0))
    messages = fields.One2Many('jewel.whatsapp.message', 'campaign',
        "Recipients", readonly=True)
    recipient_count = fields.Function(
        fields.Integer("Recipients"), 'get_figures')
    sent_count = fields.Function(fields.Integer("Sent"), 'get_figures')
    delivered_count = fields.Function(
        fields.Integer("Delivered"), 'get_figures')
    read_count = fields.Function(fields.Integer("Read"), 'get_figures')
    failed_count = fields.Function(fields.Integer("Failed"), 'get_figures')
    replied_count = fields.Function(fields.Integer("Replied"), 'get_figures')
    delivery_rate = fields.Function(
        fields.Float("Delivery Rate", digits=(1, 4)), 'get_figures')
    read_rate = fields.Function(
        fields.Float("Read Rate", digits=(1, 4)), 'get_figures')
    reply_rate = fields.Function(
        fields.Float("Reply Rate", digits=(1, 4)), 'get_figures')
    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._transitions |= {
            ('draft', 'scheduled'), ('scheduled', 'draft'),
            ('draft', 'cancelled'), ('scheduled', 'cancelled'),
            ('scheduled', 'launched'), ('draft', 'launched'),
            }
        cls._buttons.update({
                'draft': {'invisible': Eval('state') != 'scheduled',
                    'depends': ['state']},
                'schedule': {'invisible': Eval('state') != 'draft',
                    'depends': ['state']},
                'launch': {
                    'invisible': ~Eval('state').in_(['draft', 'scheduled']),
                    'depends': ['state']},
                'cancel': {
                    'invisible': ~Eval('state').in_(['draft', 'scheduled']),
                    'depends': ['state']},
                })
        cls._order = [('scheduled_at', 'DESC NULLS FIRST'), ('id', 'DESC')]

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, campaigns):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('scheduled')
    def schedule(cls, campaigns):
        for campaign in campaigns:
            campaign.check_ready()
            if not campaign.scheduled_at:
                raise ValidationError(gettext(
                        'jewel_whatsapp.msg_campaign_no_date',
                        campaign=campaign.rec_name))

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, campaigns):
        pass

    @classmethod
    @ModelView.button
    def launch(cls, campaigns):
        "Send now"
        check_context()
        for campaign in campaigns:
            campaign.check_ready()
        cls._launch(campaigns)

    @classmethod
    def launch_due(cls):
        "Cron: launch the scheduled campaigns whose time has come"
        campaigns = cls.search([
                ('state', '=', 'scheduled'),
                ('scheduled_at', '<=', dt.datetime.now()),
                ])
        cls._launch(campaigns)
        return campaigns

    @classmethod
    @Workflow.transition('launched')
    def _launch(cls, campaigns):
        for campaign in campaigns:
            with Transaction().set_context(company=campaign.company.id):
                campaign._create_messages()
            campaign.launched_at = dt.datetime.now()
        cls.save(campaigns)

    def check_ready(self):
        if not self.template.approved:
            raise ValidationError(gettext(
                    'jewel_whatsapp.msg_message_template_not_approved',
                    template=self.template.rec_name,
                    status=self.template.status or '-'))
        for parameter in self.template.parameters:
            if parameter.source not in CAMPAIGN_SOURCES:
                raise ValidationError(gettext(
                        'jewel_whatsapp.msg_campaign_parameter',
                        campaign=self.rec_name, position=parameter.position))
        self.template.render_parameters(_Named('-'))
        self.recipient_domain()

    def recipient_domain(self):
        domain = [('company', '=', self.company.id),
            ('is_customer', '=', True)]
        if self.tags:
            domain.append(('categories', 'in', [t.id for t in self.tags]))
        if self.tiers:
            domain.append(('tier', 'in', [t.id for t in self.tiers]))
        if self.segment_domain:
            try:
                extra = ast.literal_eval(self.segment_domain)
                Party = Pool().get('party.party')
                Party.search(extra, limit=1)  # validates the domain
            except Exception as error:
                raise ValidationError(gettext(
                        'jewel_whatsapp.msg_campaign_domain',
                        campaign=self.rec_name, error=str(error))) from error
            domain.append(extra)
        return domain

    def _create_messages(self):
        """One queued message per consenting customer with a number,
        selected and written set-based (one INSERT ... SELECT) so a large
        segment is quick"""
        Message = Pool().get('jewel.whatsapp.message')
        recipients, total, consenting = self._recipients()
        # None stands for the customer's name: the rest is the same for all
        sample = self.template.render_parameters(_Named(None))
        ids = Message.queue_campaign(self, recipients, sample)
        self.skipped_no_consent = total - consenting
        self.skipped_no_phone = consenting - len(ids)

    def _recipients(self):
        """(query of the rows (party, name, phone) of the segment's
        consenting customers with a WhatsApp or mobile number, one per
        customer, its WhatsApp number first; the size of the segment; the
        number consenting)"""
        pool = Pool()
        Party = pool.get('party.party')
        Consent = pool.get('jewel.customer.consent')
        Mechanism = pool.get('party.contact_mechanism')
        cursor = Transaction().connection.cursor()
        party = Party.__table__()
        consent = Consent.__table__()
        mechanism = Mechanism.__table__()
        segment = Party.search(self.recipient_domain(), order=[],
            query=True)
        agreed = consent.select(consent.party,
            where=(consent.channel == 'whatsapp')
            & (consent.granted == Literal(True)))
        cursor.execute(*party.select(Count(party.id),
                where=party.id.in_(segment)))
        total, = cursor.fetchone()
        cursor.execute(*party.select(Count(party.id),
                where=party.id.in_(segment) & party.id.in_(agreed)))
        consenting, = cursor.fetchone()
        numbers = mechanism.select(mechanism.party,
            mechanism.value_compact.as_('phone'),
            RowNumber(window=Window([mechanism.party], order_by=[
                        Case((mechanism.type == 'whatsapp', 0), else_=1),
                        mechanism.sequence, mechanism.id])).as_('rank'),
            where=mechanism.party.in_(segment) & mechanism.party.in_(agreed)
            & mechanism.type.in_(['whatsapp', 'mobile'])
            & (mechanism.active == Literal(True))
            & (mechanism.value_compact != Null))
        recipients = numbers.join(party,
            condition=numbers.party == party.id
            ).select(party.id.as_('party'), party.name.as_('name'),
            numbers.phone.as_('phone'),
            where=numbers.rank == 1)
        return recipients, total, consenting

    @classmethod
    def get_figures(cls, campaigns, names):
        pool = Pool()
        Message = pool.get('jewel.whatsapp.message')
        message = Message.__table__()
        reply = Message.__table__()
        cursor = Transaction().connection.cursor()
        ids = [c.id for c in campaigns]
        statuses = {i: {} for i in ids}
        replied = {i: 0 for i in ids}
        for sub_ids in grouped_slice(ids, 1000):
            sub_ids = list(sub_ids)
            cursor.execute(*message.select(message.campaign, message.status,
                    Count(message.id),
                    where=message.campaign.in_(sub_ids),
                    group_by=[message.campaign, message.status]))
            for campaign_id, status, count in cursor:
                statuses[campaign_id][status] = count
            cursor.execute(*message.join(reply,
                    condition=(reply.party == message.party)
                    & (reply.direction == 'in')
                    & (reply.received_at >= message.sent_at)
                    ).select(message.campaign,
                    Count(message.party, distinct=True),
                    where=message.campaign.in_(sub_ids),
                    group_by=[message.campaign]))
            replied.update(cursor)
        result = {n: {} for n in names}
        for campaign_id in ids:
            counts = statuses[campaign_id]
            read = counts.get('read', 0)
            delivered = counts.get('delivered', 0) + read
            sent = counts.get('sent', 0) + delivered
            figures = {
                'recipient_count': sum(counts.values()),
                'sent_count': sent,
                'delivered_count': delivered,
                'read_count': read,
                'failed_count': counts.get('failed', 0),
                'replied_count': replied[campaign_id],
                'delivery_rate': delivered / sent if sent else None,
                'read_rate': read / sent if sent else None,
                'reply_rate': replied[campaign_id] / sent if sent else None,
                }
            for name in names:
                result[name][campaign_id] = figures[name]
        return result


class _Named:
    "Stands for a customer when only the name fills the template"
    __slots__ = ('name',)

    def __init__(self, name):
        self.name = name


class CampaignTag(ModelSQL):
    "WhatsApp Campaign - Tag"
    __name__ = 'jewel.whatsapp.campaign-party.category'
    campaign = fields.Many2One('jewel.whatsapp.campaign', "Campaign",
        required=True, ondelete='CASCADE')
    category = fields.Many2One('party.category', "Tag", required=True,
        ondelete='CASCADE')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        # the parent's business scopes the link (its rules and access)
        cls.__access__.add('campaign')


class CampaignTier(ModelSQL):
    "WhatsApp Campaign - Tier"
    __name__ = 'jewel.whatsapp.campaign-jewel.tier'
    campaign = fields.Many2One('jewel.whatsapp.campaign', "Campaign",
        required=True, ondelete='CASCADE')
    tier = fields.Many2One('jewel.tier', "Tier", required=True,
        ondelete='CASCADE')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        # the parent's business scopes the link (its rules and access)
        cls.__access__.add('campaign')
