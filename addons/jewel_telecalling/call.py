# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"Calls of telecallers, their outcome on the lead, escalations"
import datetime as dt

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.model.exceptions import AccessError, ValidationError
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Bool, Eval
from trytond.transaction import Transaction, without_check_access
from trytond.wizard import Button, StateTransition, StateView, Wizard

from jewel_crm.company_field import TenantMixin, tenant_company_field

from .configuration import PRIORITIES, configuration
from .states import CALL_STATUSES as STATUSES, OPEN_STATES
from jewel_crm.bounds import bounded

# Statuses after which the customer is called again, up to the attempts
RETRY_STATUSES = {'not_connected', 'busy', 'switched_off'}
SENTIMENTS = [
    (None, ''),
    ('positive', "Positive"),
    ('neutral', "Neutral"),
    ('negative', "Negative"),
    ]
# Groups that may log calls on any lead of their business
SUPERVISOR_GROUPS = (
    ('res', 'group_admin'),
    ('jewel_crm', 'group_business_admin'),
    ('jewel_crm', 'group_store_manager'),
    )


def is_supervisor():
    pool = Pool()
    User = pool.get('res.user')
    ModelData = pool.get('ir.model.data')
    groups = set(User.get_groups())
    return Transaction().user == 0 or any(
        ModelData.get_id(*g) in groups for g in SUPERVISOR_GROUPS)


class Call(TenantMixin, ModelSQL, ModelView):
    "Call"
    __name__ = 'jewel.call'
    _states = {'readonly': Eval('id', -1) >= 0}
    company = tenant_company_field(required=True)
    lead = fields.Many2One('jewel.telecalling.lead', "Lead", required=True,
        ondelete='CASCADE', states=_states,
        domain=[('company', '=', Eval('company', -1))])
    party = fields.Many2One('party.party', "Customer", readonly=True,
        ondelete='CASCADE')
    telecaller = fields.Many2One('res.user', "Telecaller", readonly=True)
    date = fields.DateTime("Date", required=True, states=_states)
    status = fields.Selection(STATUSES, "Status", required=True,
        states=_states)
    status_string = status.translated('status')
    duration = fields.Integer("Duration (Seconds)", states=_states,
        domain=bounded('duration', at_least=0))
    sentiment = fields.Selection(SENTIMENTS, "Sentiment",
        states={'invisible': Eval('status') != 'connected'})
    feedback = fields.Text("Feedback")
    revisit_required = fields.Boolean("Revisit Promised",
        states={'invisible': Eval('status') != 'connected'})
    revisit_date = fields.Date("Revisit Date",
        states={
            'invisible': ~Eval('revisit_required')
            & (Eval('status') != 'call_back_later'),
            'required': Bool(Eval('revisit_required')),
            })
    revisit_visit = fields.Many2One('jewel.visit', "Came Back",
        readonly=True, ondelete='SET NULL',
        help="The visit that fulfilled the promised revisit.")
    recording_url = fields.Char("Recording URL")
    next_action = fields.Char("Next Action")
    opportunity = fields.Many2One('sale.opportunity', "Opportunity",
        readonly=True, ondelete='SET NULL')
    complaint = fields.Many2One('sale.complaint', "Escalation",
        readonly=True, ondelete='SET NULL')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.party, Index.Equality()),
                    (t.date, Index.Range())),
                Index(t, (t.company, Index.Equality()),
                    (t.date, Index.Range())),
                })
        cls._order = [('date', 'DESC'), ('id', 'DESC')]
        cls._buttons.update({
                'create_opportunity': {
                    'invisible': (Eval('status') != 'connected')
                    | (Eval('sentiment') != 'positive')
                    | Bool(Eval('opportunity')),
                    'depends': ['status', 'sentiment', 'opportunity'],
                    },
                'escalate': {
                    'invisible': Bool(Eval('complaint')),
                    'depends': ['complaint'],
                    },
                })

    @classmethod
    def default_date(cls):
        return dt.datetime.now()

    @classmethod
    def default_telecaller(cls):
        return Transaction().user

    @classmethod
    def default_duration(cls):
        return 0

    @classmethod
    def default_revisit_required(cls):
        return False

    def get_rec_name(self, name):
        return '%s: %s (%s)' % (self.party.rec_name if self.party else '',
            self.status_string, self.date)

    @fields.depends('status', 'sentiment', 'revisit_required')
    def on_change_status(self):
        if self.status != 'connected':
            self.sentiment = None
            self.revisit_required = False

    @classmethod
    def preprocess_values(cls, mode, values):
        pool = Pool()
        Lead = pool.get('jewel.telecalling.lead')
        values = super().preprocess_values(mode, values)
        if mode == 'create' and values.get('lead'):
            with without_check_access():
                values['party'] = Lead(values['lead']).party.id
            values['telecaller'] = Transaction().user
        return values

    @classmethod
    def validate_fields(cls, calls, field_names):
        super().validate_fields(calls, field_names)
        today = dt.date.today()
        for call in calls:
            if (call.revisit_date and call.revisit_date < today
                    and (not field_names or 'revisit_date' in field_names)):
                raise ValidationError(gettext(
                        'jewel_telecalling.msg_call_revisit_past',
                        date=call.revisit_date.isoformat()))

    @classmethod
    def check_modification(cls, mode, calls, values=None, external=False):
        super().check_modification(
            mode, calls, values=values, external=external)
        if mode != 'create':
            return
        supervisor = is_supervisor()
        user = Transaction().user
        with without_check_access():
            for call in calls:
                lead = call.lead
                if not supervisor and (
                        not lead.telecaller or lead.telecaller.id != user):
                    raise AccessError(gettext(
                            'jewel_telecalling.msg_call_not_your_lead',
                            lead=lead.rec_name))
                if lead.state not in OPEN_STATES:
                    raise ValidationError(gettext(
                            'jewel_telecalling.msg_call_lead_closed',
                            lead=lead.rec_name,
                            state=lead.state_string))
                if not _calls_allowed(lead.party):
                    raise ValidationError(gettext(
                            'jewel_telecalling.msg_call_no_consent',
                            party=lead.party.rec_name))

    @classmethod
    def on_modification(cls, mode, calls, field_names=None):
        pool = Pool()
        Score = pool.get('jewel.customer.score')
        super().on_modification(mode, calls, field_names=field_names)
        if mode == 'create':
            cls.apply_to_leads(calls)
        Score.compute_for([c.party for c in calls])

    @classmethod
    @without_check_access
    def apply_to_leads(cls, calls):
        """Count the attempt and schedule what follows: a retry after an
        unanswered call, nothing after a connected call, a stop on do not
        call"""
        pool = Pool()
        Lead = pool.get('jewel.telecalling.lead')
        Consent = pool.get('jewel.customer.consent')
        for call in sorted(calls, key=lambda c: (c.date, c.id)):
            lead = call.lead
            config = configuration(lead.company.id)
            lead.attempts = (lead.attempts or 0) + 1
            lead.last_status = call.status
            lead.last_call = call.date
            if call.status == 'connected':
                lead.connected = True
                lead.state = 'done'
                lead.next_call = None
            elif call.status in RETRY_STATUSES:
                if _unanswered(lead) >= config.call_attempts:
                    lead.state = 'done'
                    lead.next_call = None
                else:
                    lead.next_call = config.retry_time(call.date)
            elif call.status == 'call_back_later':
                lead.next_call = (config.calling_day(call.revisit_date)
                    if call.revisit_date else config.retry_time(call.date))
            elif call.status == 'wrong_number':
                lead.state = 'done'
                lead.next_call = None
            elif call.status == 'do_not_call':
                lead.state = 'stopped'
                lead.next_call = None
            lead.save()
            if call.status == 'do_not_call':
                Consent.withdraw_calls(call.party, call.date)

    @classmethod
    @without_check_access
    def fulfil_revisits(cls, visits):
        "A visit fulfils the revisits the customer promised before it"
        for visit in visits:
            calls = cls.search([
                    ('party', '=', visit.party.id),
                    ('revisit_required', '=', True),
                    ('revisit_visit', '=', None),
                    ('date', '<=', visit.date),
                    ])
            if calls:
                cls.write(calls, {'revisit_visit': visit.id})

    @classmethod
    @ModelView.button
    def create_opportunity(cls, calls):
        pool = Pool()
        Opportunity = pool.get('sale.opportunity')
        for call in calls:
            if call.opportunity or call.status != 'connected':
                continue
            opportunity, = Opportunity.create([{
                        'company': call.company.id,
                        'party': call.party.id,
                        'description': gettext(
                            'jewel_telecalling.msg_opportunity_description',
                            party=call.party.rec_name,
                            feedback=(call.feedback or '')[:100]),
                        }])
            with without_check_access():
                cls.write([call], {'opportunity': opportunity.id})

    @classmethod
    @ModelView.button_action('jewel_telecalling.wizard_call_escalate')
    def escalate(cls, calls):
        pass


def _calls_allowed(party):
    return not any(c.channel == 'call' and not c.granted
        for c in party.consents)


def _unanswered(lead):
    return sum(1 for c in lead.calls if c.status in RETRY_STATUSES)


class EscalateStart(ModelView):
    "Escalate a Customer Problem"
    __name__ = 'jewel.call.escalate.start'
    company = fields.Many2One('company.company', "Company", readonly=True)
    type = fields.Many2One('sale.complaint.type', "Type", required=True)
    owner = fields.Many2One('res.user', "Owner", required=True,
        domain=[('companies', '=', Eval('company', -1))],
        help="Who resolves the problem.")
    priority = fields.Selection(PRIORITIES, "Priority", required=True,
        sort=False)
    description = fields.Text("Problem", required=True)


class Escalate(Wizard):
    "Escalate a Customer Problem"
    __name__ = 'jewel.call.escalate'
    start = StateView('jewel.call.escalate.start',
        'jewel_telecalling.call_escalate_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Escalate", 'escalate', 'tryton-ok', default=True),
            ])
    escalate = StateTransition()

    def default_start(self, fields):
        return {
            'company': self.record.company.id,
            'priority': self.record.lead.priority,
            'description': self.record.feedback,
            }

    def transition_escalate(self):
        pool = Pool()
        Complaint = pool.get('sale.complaint')
        Call = pool.get('jewel.call')
        call = self.record
        if call.complaint:
            return 'end'
        complaint, = Complaint.create([{
                    'company': call.company.id,
                    'customer': call.party.id,
                    'type': self.start.type.id,
                    'description': self.start.description,
                    'escalation_owner': self.start.owner.id,
                    'escalation_priority': self.start.priority,
                    'escalated_call': call.id,
                    }])
        with without_check_access():
            Call.write([call], {'complaint': complaint.id})
        return 'end'


class Complaint(metaclass=PoolMeta):
    __name__ = 'sale.complaint'
    escalation_owner = fields.Many2One('res.user', "Owner",
        ondelete='SET NULL', domain=[('companies', '=', Eval('company', -1))],
        help="Who resolves the problem.")
    escalation_priority = fields.Selection(
        [(None, '')] + PRIORITIES, "Priority", sort=False)
    escalated_call = fields.Many2One('jewel.call', "From Call",
        readonly=True, ondelete='SET NULL')
    resolution = fields.Text("Resolution")


class Consent(metaclass=PoolMeta):
    __name__ = 'jewel.customer.consent'

    @classmethod
    def withdraw_calls(cls, party, date):
        "Record that the customer asked not to be called"
        consents = cls.search([
                ('party', '=', party.id), ('channel', '=', 'call')])
        if consents:
            cls.write(consents, {'granted': False, 'date': date})
        else:
            cls.create([{
                        'company': party.company.id,
                        'party': party.id,
                        'channel': 'call',
                        'granted': False,
                        'date': date,
                        'source': 'phone_call',
                        }])

    @classmethod
    def on_modification(cls, mode, consents, field_names=None):
        Lead = Pool().get('jewel.telecalling.lead')
        super().on_modification(mode, consents, field_names=field_names)
        if mode in {'create', 'write'}:
            with without_check_access():
                Lead.stop_without_consent([c.party for c in consents
                        if c.channel == 'call' and not c.granted])
