"""The telecaller's day in the sao web client: a connected call typed into
the call form is stored as typed and escalated to the store manager, and
the manager assigns leads to telecallers; on a desktop and on a phone."""
import datetime as dt
import os
import re
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))

from playwright.sync_api import expect  # noqa: E402

from test_browser import (  # noqa: E402
    ARTIFACTS, TIMEOUT, BrowserTestCase, active_tab, choose, list_rows,
    login, open_menu, toolbar_action)

DESKTOP = {'width': 1280, 'height': 900}
PHONE = {'width': 390, 'height': 844}
OPEN = ['unassigned', 'assigned']


def row_of(page, name):
    return list_rows(page).filter(has_text=name)


def tab_counter(page, name):
    return active_tab(page).locator('.nav-tabs li a').filter(
        has_text=re.compile(f'^{name}')).locator('.badge')


class TelecallingBrowserTest(BrowserTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = cls.server.login('jaipur.manager')
        cls.telecaller = cls.server.login('jaipur.telecaller')
        # customers with a mobile, no open lead and no objection to calls:
        # each test takes its own
        def parties_of(model, domain):
            return {r['party'] for r in cls.manager.model(model,
                    'search_read', domain, 0, None, None, ['party'])}
        mobiles = parties_of('party.contact_mechanism',
            [('type', '=', 'mobile')])
        busy = parties_of('jewel.telecalling.lead', [('state', 'in', OPEN)])
        refused = parties_of('jewel.customer.consent',
            [('channel', '=', 'call'), ('granted', '=', False)])
        cls.free = cls.manager.model('party.party', 'search_read',
            [('id', 'in', sorted(mobiles - busy - refused))], 0, None,
            [('name', 'ASC')], ['name'])

    def new_leads(self, count):
        "Open high priority leads of count customers: [(id, name)]"
        parties = [self.free.pop(0) for _ in range(count)]
        ids = self.manager.model('jewel.telecalling.lead', 'create', [
                {'party': p['id'], 'source': 'manual', 'priority': 'high'}
                for p in parties])
        return list(zip(ids, [p['name'] for p in parties]))

    def assign_over_rpc(self, lead_ids, telecaller_id):
        "The wizard run over RPC, as a client does"
        server, manager = self.server, self.manager
        name = 'wizard.jewel.telecalling.lead.assign'
        context = dict(manager.context, active_model='jewel.telecalling.lead',
            active_ids=lead_ids, active_id=lead_ids[0])
        session, _, _ = server.call(f'{name}.create', [context],
            session=manager.token)
        server.call(f'{name}.execute', [session, {'start': {
                        'telecallers': [telecaller_id],
                        'strategy': 'balanced'}}, 'assign', context],
            session=manager.token)
        server.call(f'{name}.delete', [session, context],
            session=manager.token)

    def open_page(self, size):
        page = self.browser.new_page(viewport=size)
        page.set_default_timeout(TIMEOUT)
        self.addCleanup(page.close)
        return page

    def shot(self, page, size, step):
        ARTIFACTS.mkdir(exist_ok=True)
        name = 'desktop' if size is DESKTOP else 'phone'
        path = ARTIFACTS / f'telecalling-{name}-{step}.png'
        path.unlink(missing_ok=True)
        page.screenshot(path=str(path))
        self.assertGreater(path.stat().st_size, 0)

    def test_telecaller_logs_a_connected_call_desktop(self):
        self.telecaller_logs_a_connected_call(DESKTOP)

    def test_telecaller_logs_a_connected_call_phone(self):
        self.telecaller_logs_a_connected_call(PHONE)

    def telecaller_logs_a_connected_call(self, size):
        """Every field of the call form typed as a person does, then Add as
        Feedback loses focus: the call is stored as typed, Connected"""
        (lead_id, name), = self.new_leads(1)
        self.assign_over_rpc([lead_id], self.telecaller.user_id)
        phone, = [l['phone'] for l in self.telecaller.model(
                'jewel.telecalling.lead', 'read', [lead_id], ['phone'])]
        self.assertTrue(phone)

        page = self.open_page(size)
        login(page, self.server, 'jaipur.telecaller')
        open_menu(page, 'Jewel CRM', 'My Call Queue')
        row = row_of(page, name)
        # the queue shows the number to dial, not only an icon
        expect(row).to_contain_text(phone)
        self.shot(page, size, '1-queue')

        # on its priority: the name and the number are links
        row.locator(".column-selection").first.dblclick()
        form = active_tab(page).locator('.form').first
        calls = form.locator('.form-one2many').first
        calls.locator('button[title="New"]').click()
        dialog = page.locator('.modal-dialog').last
        status = dialog.locator('select[name=status]')
        expect(status).to_be_visible()
        self.shot(page, size, '2-new-call')

        status.click()
        page.keyboard.type('Conn')
        page.keyboard.press('Enter')
        expect(status).to_have_value('"connected"')
        page.keyboard.press('Tab')
        page.keyboard.press('Control+a')
        page.keyboard.type('420')
        page.keyboard.press('Tab')
        # a closed select takes the typed letters
        page.keyboard.type('Pos')
        expect(dialog.locator('select[name=sentiment]')).to_have_value(
            '"positive"')
        page.keyboard.press('Tab')
        page.keyboard.press('Space')
        revisit = dialog.locator('input[name=revisit_date]')
        expect(revisit).to_be_visible()
        page.keyboard.press('Tab')
        revisit_date = dt.date.today() + dt.timedelta(days=5)
        # the telecaller's language is English (India): dd/mm/yyyy
        page.keyboard.type(revisit_date.strftime('%d/%m/%Y'))
        page.keyboard.press('Tab')
        page.keyboard.type('Keep the set aside')
        page.keyboard.press('Tab')
        feedback = "Wants the bridal set in 22 carat, coming with her mother"
        page.keyboard.type(feedback)
        expect(dialog.locator('textarea[name=feedback]')).to_have_value(
            feedback)
        self.shot(page, size, '3-call-typed')
        # Feedback loses its focus as Add is clicked
        dialog.get_by_role('button', name='Add', exact=True).click()
        expect(dialog).to_be_hidden()
        active_tab(page).locator('button[title="Save"]:visible').click()
        # saved: the lead counts the attempt
        expect(form.get_by_role('textbox', name='Attempts:')).to_have_value(
            '1')
        self.shot(page, size, '4-saved')

        call, = self.telecaller.model('jewel.call', 'search_read',
            [('lead', '=', lead_id)], 0, None, None,
            ['id', 'status', 'sentiment', 'revisit_required', 'revisit_date',
                'feedback', 'duration', 'next_action'])
        self.assertEqual(
            (call['status'], call['sentiment'], call['revisit_required'],
                call['duration'], call['next_action'], call['feedback']),
            ('connected', 'positive', True, 420, "Keep the set aside",
                feedback))
        stored = call['revisit_date']
        self.assertEqual(
            dt.date(stored['year'], stored['month'], stored['day']),
            revisit_date)
        lead, = self.telecaller.model('jewel.telecalling.lead', 'read',
            [lead_id], ['state', 'attempts', 'connected', 'next_call'])
        self.assertEqual(
            (lead['state'], lead['attempts'], lead['connected'],
                lead['next_call']),
            ('done', 1, True, None))
        self.telecaller_escalates_the_call(page, size, form, call['id'],
            feedback)

    def telecaller_escalates_the_call(self, page, size, form, call_id,
            feedback):
        """The customer's problem goes to the store manager: the call opened
        from the lead, Escalate, the type and owner picked as typed"""
        calls = form.locator('.form-one2many').first
        calls.locator('tbody > tr:not(.more-row)').first.locator(
            '.column-selection').first.dblclick()
        call_form = page.locator('.modal-dialog').last
        call_form.get_by_role('button', name='Escalate').click()
        wizard = page.locator('.modal-dialog').last
        expect(wizard.locator('textarea[name=description]')).to_have_value(
            feedback)
        for name, typed, picked in [('type', 'Sal', 'Sale'),
                ('owner', 'Store', 'Store Manager')]:
            choose(page, wizard.locator(f'input[name={name}]').first,
                typed, picked)
        self.shot(page, size, '5-escalate')
        wizard.get_by_role('button', name='Escalate').click()
        expect(wizard.get_by_role('button', name='Escalate')).to_be_hidden()
        call, = self.telecaller.model('jewel.call', 'read', [call_id],
            ['complaint'])
        self.assertTrue(call['complaint'])
        admin = self.server.login('admin')
        complaint, = admin.model('sale.complaint', 'read',
            [call['complaint']], ['description', 'escalated_call',
                'escalation_owner.login'])
        self.assertEqual(complaint['description'], feedback)
        self.assertEqual(complaint['escalated_call'], call_id)
        self.assertEqual(complaint['escalation_owner.']['login'],
            'jaipur.manager')


    def test_manager_assigns_leads_desktop(self):
        self.manager_assigns_leads(DESKTOP)

    def test_manager_assigns_leads_phone(self):
        self.manager_assigns_leads(PHONE)

    def manager_assigns_leads(self, size):
        """The wizard proposes the business's telecallers; after Assign it
        says who got how many and the tabs count again"""
        leads = self.new_leads(2)
        page = self.open_page(size)
        login(page, self.server, 'jaipur.manager')
        open_menu(page, 'Jewel CRM', 'Telecalling', 'Leads')
        for _, name in leads:
            expect(row_of(page, name)).to_have_count(1)
        before = self.manager.model('jewel.telecalling.lead', 'search_count',
            [('state', '=', 'unassigned')])
        expect(tab_counter(page, 'Unassigned')).to_have_text(str(before))
        # the leads' showroom is their customers' home showroom, or empty
        self.shot(page, size, '7-leads')

        for _, name in leads:
            row_of(page, name).locator(
                'td.selection-state input[type=checkbox]').click()
        toolbar_action(page, 'Action', 'Assign to Telecallers')
        wizard = page.locator('.wizard-dialog .modal-dialog')
        telecallers = wizard.locator('.treeview tbody tr')
        expect(telecallers.filter(has_text='jaipur.telecaller')
            ).to_have_count(1)
        strategy = wizard.locator('select[name=strategy]')
        strategy.focus()
        page.keyboard.type('Round')
        expect(strategy).to_have_value('"round_robin"')
        self.shot(page, size, '8-assign')
        wizard.get_by_role('button', name='Assign').click()
        summary = wizard.locator('textarea[name=summary]')
        expect(summary).to_have_value(
            "2 lead(s) assigned: 2 to Telecaller (Jaipur).")
        self.shot(page, size, '9-assigned')
        wizard.get_by_role('button', name='Close').click()
        expect(wizard).to_be_hidden()

        stored = self.manager.model('jewel.telecalling.lead', 'read',
            [i for i, _ in leads], ['state', 'telecaller'])
        self.assertEqual(
            [(l['state'], l['telecaller']) for l in stored],
            [('assigned', self.telecaller.user_id)] * 2)
        after = self.manager.model('jewel.telecalling.lead', 'search_count',
            [('state', '=', 'unassigned')])
        self.assertEqual(after, before - 2)
        # the tabs count again without a reload
        expect(tab_counter(page, 'Unassigned')).to_have_text(str(after))
        for _, name in leads:
            expect(row_of(page, name)).to_have_count(0)
        self.shot(page, size, '10-counts')


if __name__ == '__main__':
    unittest.main()
