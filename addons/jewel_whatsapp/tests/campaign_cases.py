# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Campaigns, and the templates other modules send (events, reminders)."""
import datetime as dt

from trytond.model.exceptions import ValidationError
from trytond.modules.company.tests import set_company
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME
from trytond.transaction import Transaction

from jewel_crm.event import EVENTS

from . import fake_cloud_api as fake_api
from ..event import EVENT_TEMPLATES
from .tools import JAIPUR_NUMBER, now_ts, run_queue


class CampaignCases:
    "Mixed into WhatsappTestCase (test_whatsapp.py), with its fixture"

    # --- campaigns ---------------------------------------------------------

    def test_campaign_to_tagged_consenting_customers(self):
        pool = Pool(DB_NAME)
        with Transaction().start(DB_NAME, 1):
            Campaign = pool.get('jewel.whatsapp.campaign')
            with set_company(pool.get('company.company')(self.ids['jaipur'])):
                campaign, = Campaign.create([{'name': "Diwali VIP",
                            'account': self.ids['account_j'],
                            'template': self.ids['diwali_offer'],
                            'tags': [('add', [self.ids['vip']])],
                            'scheduled_at': dt.datetime.now()
                            - dt.timedelta(minutes=1)}])
                Campaign.schedule([campaign])
            campaign_id = campaign.id
        with Transaction().start(DB_NAME, 1):
            Campaign = pool.get('jewel.whatsapp.campaign')
            with set_company(pool.get('company.company')(self.ids['jaipur'])):
                self.assertEqual(Campaign.launch_due(), [Campaign(campaign_id)])
        run_queue()
        # VIPs are segment 0-3: 1 has no number, 2 no consent
        self.assertEqual(sorted(m['to'] for m in self.api.sent),
            ['919829020000', '919829020003'])
        self.assertEqual({m['template']['components'][0]['parameters'][0][
                    'text'] for m in self.api.sent},
            {"Segment 0", "Segment 3"})
        first, second = self.api.sent
        ts = now_ts()
        self.post(fake_api.webhook(JAIPUR_NUMBER, statuses=[
                    fake_api.status(first['id'], 'read', first['to'], ts),
                    fake_api.status(second['id'], 'delivered',
                        second['to'], ts)],
                messages=[fake_api.inbound('wamid.IN-reply', first['to'],
                        ts + 5, body="Interested!")]))
        with Transaction().start(DB_NAME, 0, readonly=True):
            campaign = pool.get('jewel.whatsapp.campaign')(campaign_id)
            self.assertEqual((campaign.state, campaign.recipient_count,
                    campaign.skipped_no_phone, campaign.skipped_no_consent,
                    campaign.sent_count, campaign.delivered_count,
                    campaign.read_count, campaign.replied_count),
                ('launched', 2, 1, 1, 2, 2, 1, 1))
            self.assertEqual((campaign.delivery_rate, campaign.read_rate,
                    campaign.reply_rate), (1.0, 0.5, 0.5))

    def test_hook_for_other_modules(self):
        "Other modules queue an approved template by its name"
        pool = Pool(DB_NAME)
        with Transaction().start(DB_NAME, 1):
            Message = pool.get('jewel.whatsapp.message')
            Party = pool.get('party.party')
            with set_company(pool.get('company.company')(self.ids['jaipur'])):
                customer = Party(self.ids['customer_j'])
                message = Message.send_template(customer, 'order_ready')
                self.assertEqual(list(message.parameters['values']),
                    ["Customer j"])
                with self.assertRaises(ValidationError) as cm:
                    Message.send_template(customer, 'filler_000')
                self.assertIn('no approved template', cm.exception.message)
        run_queue()
        self.assertEqual(self.api.sent[0]['template']['name'], 'order_ready')

    def test_event_template_to_the_records_customers(self):
        """An event with an account template (repair_ready: the repair's
        claim number) queues it to the customer of each record; generic,
        so shown with another event on opportunities (party and number)"""
        pool = Pool(DB_NAME)
        EVENTS['test_opportunity_ready'] = 'sale.opportunity'
        EVENT_TEMPLATES['test_opportunity_ready'] = 'repair_template'
        try:
            with Transaction().start(DB_NAME, 1):
                Opportunity = pool.get('sale.opportunity')
                CustomerEvent = pool.get('jewel.customer.event')
                with set_company(pool.get('company.company')(
                            self.ids['jaipur'])):
                    # the second customer has no number: skipped
                    opportunities = Opportunity.create([{
                                'party': party, 'company': self.ids['jaipur'],
                                'description': "Ring resizing"}
                            for party in [self.ids['customer_j'],
                                self.ids['segment'][1]]])
                    CustomerEvent.notify('test_opportunity_ready',
                        [o.id for o in opportunities])
                    CustomerEvent.notify('repair_ready', [])
                number = opportunities[0].number
        finally:
            del EVENTS['test_opportunity_ready']
            del EVENT_TEMPLATES['test_opportunity_ready']
        run_queue()
        sent, = self.api.sent
        self.assertEqual((sent['to'], sent['template']['name']),
            ('919829010001', 'repair_ready'))
        self.assertEqual(sent['template']['components'][0]['parameters'], [
                {'type': 'text', 'text': "Customer j"},
                {'type': 'text', 'text': number}])

    def test_greetings_on_the_day_to_consenting_customers(self):
        """Birthday and anniversary reminders greet consenting customers on
        the day itself, once per reminder"""
        pool = Pool(DB_NAME)
        segment = self.ids['segment']
        with Transaction().start(DB_NAME, 1):
            Reminder = pool.get('jewel.reminder')
            Date = pool.get('ir.date')
            today = Date.today()
            in_3_days = today + dt.timedelta(days=3)
            with set_company(pool.get('company.company')(self.ids['jaipur'])):
                # segment 2 has not consented, 1 has no number
                reminders = Reminder.create([{
                            'company': self.ids['jaipur'], 'user': 1,
                            'party': segment[i], 'kind': kind,
                            'occasion_date': date, 'date': today,
                            'key': f'test-greeting:{i}:{kind}'}
                        for i, kind, date in [
                            (0, 'birthday', today),
                            (3, 'anniversary', in_3_days),
                            (4, 'birthday', in_3_days),
                            (2, 'birthday', today),
                            (1, 'birthday', today),
                            (5, 'festival', today)]])
                Reminder.on_occasion(reminders)
                Reminder.on_occasion(reminders)  # never twice
            reminder_ids = [r.id for r in reminders]
        run_queue()
        sent, = self.api.sent
        self.assertEqual((sent['to'], sent['template']['name'],
                sent['template']['components'][0]['parameters'][0]['text']),
            ('919829020000', 'birthday_wish', "Segment 0"))
        with Transaction().start(DB_NAME, 1):
            Message = pool.get('jewel.whatsapp.message')
            Consent = pool.get('jewel.customer.consent')
            messages = Message.search([('reminder', 'in', reminder_ids)],
                order=[('id', 'ASC')])
            self.assertEqual([(m.party.name, m.status, m.send_on)
                    for m in messages], [
                    ("Segment 0", 'sent', today),
                    ("Segment 3", 'scheduled', in_3_days),
                    ("Segment 4", 'scheduled', in_3_days)])
            # nothing is due tomorrow; segment 4 withdraws meanwhile
            self.assertEqual(Message.send_scheduled(
                    today + dt.timedelta(days=1)), [])
            Consent.write(Consent.search([('party', '=', segment[4])]),
                {'granted': False})
        with Transaction().start(DB_NAME, 1):
            Message = pool.get('jewel.whatsapp.message')
            due = Message.send_scheduled(in_3_days)
            self.assertEqual([m.party.name for m in due], ["Segment 3"])
        run_queue()
        self.assertEqual([m['to'] for m in self.api.sent],
            ['919829020000', '919829020003'])
        with Transaction().start(DB_NAME, 1) as transaction:
            Message = pool.get('jewel.whatsapp.message')
            Consent = pool.get('jewel.customer.consent')
            withdrawn, = Message.search([('party', '=', segment[4]),
                    ('reminder', '!=', None)])
            self.assertEqual((withdrawn.status, withdrawn.error_code),
                ('failed', 'consent'))
            self.assertIn('withdrew', withdrawn.error_reason)
            Consent.write(Consent.search([('party', '=', segment[4])]),
                {'granted': True})

    def test_campaign_by_tier(self):
        "A campaign goes to the customers of chosen tiers (and tags)"
        pool = Pool(DB_NAME)
        segment = self.ids['segment']
        with Transaction().start(DB_NAME, 1):
            Campaign = pool.get('jewel.whatsapp.campaign')
            Tier = pool.get('jewel.tier')
            Party = pool.get('party.party')
            with set_company(pool.get('company.company')(self.ids['jaipur'])):
                gold, = Tier.create([{'company': self.ids['jaipur'],
                            'name': "Gold", 'sequence': 10}])
                Party.write(Party.browse([segment[i] for i in [2, 3, 4]]),
                    {'tier': gold.id})
                campaigns = Campaign.create([{'name': name,
                            'account': self.ids['account_j'],
                            'template': self.ids['diwali_offer'],
                            'tiers': [('add', [gold.id])],
                            'tags': [('add', tags)]}
                        for name, tags in [("Gold", []),
                            ("Gold VIP", [self.ids['vip']])]])
                Campaign.launch(campaigns)
            ids = [c.id for c in campaigns]
        run_queue()
        with Transaction().start(DB_NAME, 0, readonly=True):
            Message = pool.get('jewel.whatsapp.message')
            Campaign = pool.get('jewel.whatsapp.campaign')
            # segment 2 has not consented; 3 is the only VIP in Gold
            self.assertEqual([sorted(m.phone for m in Message.search(
                                [('campaign', '=', i)])) for i in ids],
                [['+919829020003', '+919829020004'], ['+919829020003']])
            self.assertEqual([Campaign(i).skipped_no_consent for i in ids],
                [1, 1])
        self.assertEqual(len(self.api.sent), 3)

    def test_campaign_written_in_sql_as_the_orm_would(self):
        """The campaign's messages are written by one INSERT ... SELECT:
        a name with quotes, a backslash and accents reaches WhatsApp as
        written, the WhatsApp number goes before the mobile, one message
        per customer, each with its own key, and a second campaign reuses
        the customer's conversation"""
        pool = Pool(DB_NAME)
        name = 'Meera "Rani" D\'Souza \\ Ānand ✨'
        with Transaction().start(DB_NAME, 1):
            Campaign = pool.get('jewel.whatsapp.campaign')
            Party = pool.get('party.party')
            Category = pool.get('party.category')
            with set_company(pool.get('company.company')(self.ids['jaipur'])):
                tag, = Category.create([{'name': "Bridal"}])
                party, = Party.create([{'name': name, 'is_customer': True,
                            'categories': [('add', [tag.id])],
                            'contact_mechanisms': [('create', [
                                        {'type': 'mobile',
                                            'value': '+91 98290 30001'},
                                        {'type': 'whatsapp',
                                            'value': '+91 98290 30002'}])],
                            'consents': [('create', [{
                                            'channel': 'whatsapp',
                                            'company': self.ids['jaipur'],
                                            'source': 'in_store'}])]}])
                campaigns = Campaign.create([{'name': f"Bridal {i}",
                            'account': self.ids['account_j'],
                            'template': self.ids['diwali_offer'],
                            'tags': [('add', [tag.id])]} for i in range(2)])
                Campaign.launch(campaigns)
            party_id = party.id
        run_queue()
        self.assertEqual([(m['to'], m['template']['components'][0][
                        'parameters'][0]['text']) for m in self.api.sent],
            [('919829030002', name)] * 2)
        with Transaction().start(DB_NAME, 0, readonly=True):
            Message = pool.get('jewel.whatsapp.message')
            messages = Message.search([('party', '=', party_id)])
            self.assertEqual(len(messages), 2)
            self.assertEqual({m.parameters['values'] for m in messages},
                {(name,)})
            self.assertEqual({(m.status, m.phone, m.company.id, m.type)
                    for m in messages},
                {('sent', '+919829030002', self.ids['jaipur'], 'template')})
            self.assertEqual(len({m.conversation for m in messages}), 1)
            self.assertEqual(len({m.idempotency_key for m in messages}), 2)
            self.assertEqual(
                sorted(s['biz_opaque_callback_data'] for s in self.api.sent),
                sorted(m.idempotency_key for m in messages))
