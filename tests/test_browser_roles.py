"""Each role's home in the sao web client, Indian formats and the phone
screens, at 1280x900 and at 390x844."""
import datetime as dt
import os
import re
import sys
import unittest
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, os.path.dirname(__file__))

from playwright.sync_api import expect  # noqa: E402

from test_browser import (  # noqa: E402
    TIMEOUT, BrowserTestCase, active_tab, list_rows, login, name_cell,
    open_menu, toolbar_action)

ARTIFACTS = Path(__file__).resolve().parent.parent / 'test-artifacts'
DESKTOP = {'width': 1280, 'height': 900}
PHONE = {'width': 390, 'height': 844}
# login, the dashboard it opens, a panel of that dashboard
HOMES = [
    ('jaipur.admin', "Business Admin Dashboard", "Targets"),
    ('jaipur.manager', "Store Manager Dashboard", "Workshop Board"),
    ('jaipur.sales', "Sales Rep Dashboard", "My Targets This Month"),
    ('jaipur.telecaller', "Telecaller Dashboard", "My Targets This Month"),
    ('jaipur.artisan', "Artisan Dashboard", "Workshop Board"),
    ('jaipur.accounts', "Accountant Dashboard", "Payments Due"),
    ]
# Neha Vijayvargiya, the twelfth demo customer of Jaipur: born 13 January
# 1977 (a day above 12 tells dd/mm from mm/dd), mobile +91 98290 00012
CUSTOMER = "Neha Vijayvargiya"
BIRTHDAY = "13/01/1977"
MOBILE = '98290 00012'


def scroll_offsets(page):
    "The scroll offsets of the page and of sao's scrolling containers"
    return page.evaluate("""() => [
        window.scrollY, document.scrollingElement.scrollTop,
        ...['#tabs', '#tabcontent', '#tabcontent .tab-pane.active'].map(
            s => { const e = document.querySelector(s);
                return e ? e.scrollTop : 0; })]""")


def saved(page):
    "Wait for sao to say the record of the active tab is saved"
    expect(active_tab(page).get_by_text('Record saved.')).to_be_visible()


def search_box(page):
    return active_tab(page).locator('.filter-box input[placeholder=Search]')


class RoleHomesTest(BrowserTestCase):
    "One server and one browser for the class; a page per test"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()

    def new_page(self, viewport):
        context = self.browser.new_context(viewport=viewport,
            is_mobile=viewport is PHONE, has_touch=viewport is PHONE)
        self.addCleanup(context.close)
        page = context.new_page()
        page.set_default_timeout(TIMEOUT)
        return page

    def screenshot(self, page, name):
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f'roles-{name}.png'
        path.unlink(missing_ok=True)
        page.screenshot(path=str(path))
        self.assertGreater(path.stat().st_size, 0)

    def test_each_role_opens_its_dashboard_at_the_top(self):
        for viewport, size in [(DESKTOP, 'desktop'), (PHONE, 'phone')]:
            for user, title, panel in HOMES:
                with self.subTest(user=user, size=size):
                    page = self.new_page(viewport)
                    login(page, self.server, user)
                    tab = page.locator('#tablist li.active')
                    expect(tab).to_contain_text(title)
                    board = active_tab(page).locator('.board')
                    expect(board).to_be_visible()
                    expect(board.locator('.board-action .panel-heading',
                            has_text=panel).first).to_be_attached()
                    # every panel loaded: nothing moves the page after
                    page.wait_for_load_state('networkidle')
                    self.assertEqual(scroll_offsets(page), [0] * 5)
                    expect(board.locator('.board-action').first
                        ).to_be_in_viewport()
                    self.screenshot(page, f'{user}-{size}')
                    # one home, not a tab per role
                    self.assertEqual(page.locator('#tablist li').count(), 1)
                    page.context.close()
        # what the server gives each of them at login
        for user, title, _ in HOMES:
            session = self.server.login(user)
            preferences = session.model('res.user', 'get_preferences', False)
            self.assertEqual(preferences['language'], 'en_IN')
            self.assertEqual(preferences['locale']['date'], '%d/%m/%Y')
            actions = session.model('ir.action', 'read',
                preferences['actions'], ['name'])
            self.assertEqual([a['name'] for a in actions], [title])

    def test_accountant_exports_the_tax_register_desktop(self):
        self.accountant_exports_the_tax_register(DESKTOP, 'desktop')

    def test_accountant_exports_the_tax_register_phone(self):
        self.accountant_exports_the_tax_register(PHONE, 'phone')

    def accountant_exports_the_tax_register(self, viewport, size):
        """The accountant opens the GST register of the period and exports
        it: the workbook holds the rows the list shows, amounts in lakhs"""
        import openpyxl
        page = self.new_page(viewport)
        login(page, self.server, 'jaipur.accounts')
        open_menu(page, 'Jewel CRM', 'Reports', 'Accounting', 'Tax Register')
        rows = list_rows(page)
        expect(rows.first).to_be_visible()
        badge = active_tab(page).locator('span.badge')
        expect(badge).to_have_text(re.compile(r'/\d+$'))
        shown = int(badge.inner_text().split('/')[-1])
        self.assertGreater(shown, 0)
        self.screenshot(page, f'accounts-tax-register-{size}')
        # sao prints the selected rows: all of them, by the header's box
        # on a desktop, row by row on a phone (its rows are cards)
        if viewport is PHONE:
            for index in range(rows.count()):
                rows.nth(index).locator('input[type=checkbox]').first.check()
        else:
            active_tab(page).locator(
                '.treeview thead input[type=checkbox]').first.check()
        with page.expect_download() as download:
            toolbar_action(page, 'Print', 'Export XLSX')
        self.assertTrue(download.value.suggested_filename.endswith('.xlsx'))
        path = ARTIFACTS / f'roles-accounts-tax-register-{size}.xlsx'
        download.value.save_as(path)
        sheet = openpyxl.load_workbook(path).active
        table = [row for row in sheet.iter_rows(values_only=True)
            if any(v is not None for v in row)]
        header, body = table[0], table[1:]
        self.assertEqual(header[:3], ('Date', 'Number', 'Customer'))
        self.assertEqual(len(body), shown)
        # amounts as an Indian reads them: ₹, grouped in lakhs and crores;
        # the GST rate is a plain number
        column = {name: index for index, name in enumerate(header)}
        formats = {name: {row[column[name]].number_format
                for row in sheet.iter_rows(min_row=2)
                if isinstance(row[column[name]].value, (int, float))}
            for name in ['Rate (%)', 'Taxable Value']}
        self.assertEqual(formats['Taxable Value'], {
                '[>=10000000]"₹"##\\,##\\,##\\,##0.00;'
                '[>=100000]"₹"##\\,##\\,##0.00;"₹"##,##0.00'})
        self.assertTrue(formats['Rate (%)'])
        self.assertNotIn('₹', '|'.join(formats['Rate (%)']))

    def test_manager_chart_reads_stage_names(self):
        "The workshop chart's axis shows the stages as people say them"
        page = self.new_page(DESKTOP)
        login(page, self.server, 'jaipur.manager')
        expect(page.locator('#tablist li.active')).to_contain_text(
            "Store Manager Dashboard")
        # the chart is drawn once its panel's records are read
        page.wait_for_load_state('networkidle')
        ticks = active_tab(page).locator('.bb-axis-x .tick text')
        expect(ticks.first).to_be_attached(timeout=2 * TIMEOUT)
        texts = ticks.all_text_contents()
        session = self.server.login('jaipur.manager')
        states = {r['state'] for r in session.model('jewel.repair',
                'search_read', [('state', 'not in',
                        ['delivered', 'cancelled', 'returned'])],
                0, None, None, ['state'])}
        self.assertTrue(states)
        labels = dict(session.model('jewel.repair', 'fields_get',
                ['state'])['state']['selection'])
        for state in states:
            self.assertIn(labels[state], texts)
        for text in texts:
            self.assertNotRegex(text, r'^[a-z]+_[a-z_]+$|^received$')
        self.screenshot(page, 'manager-chart')

    def test_customer_360_in_indian_formats(self):
        """dd/mm/yyyy dates and ₹ with lakh grouping on the customer 360,
        typed and read back from the database"""
        for viewport, size in [(DESKTOP, 'desktop'), (PHONE, 'phone')]:
            with self.subTest(size=size):
                page = self.new_page(viewport)
                login(page, self.server, 'jaipur.manager')
                open_menu(page, 'Jewel CRM', 'Customers')
                expect(page.locator('#tablist li.active')).to_contain_text(
                    'Customers')
                box = search_box(page)
                expect(box).to_be_visible()
                box.click()
                box.press_sequentially(CUSTOMER, delay=20)
                box.press('Enter')
                expect(list_rows(page)).to_have_count(1)
                name_cell(page, CUSTOMER).click()
                active_tab(page).get_by_role('button', name='Switch').click()
                form = active_tab(page).locator('.form')
                expect(form.get_by_role('textbox', name='Name:')
                    ).to_have_value(CUSTOMER)
                lifetime = form.locator('.form-float').filter(
                    has=page.get_by_role('textbox', name='Lifetime Value:'))
                expect(lifetime.locator('.symbol-start')).to_have_text('₹')
                form.get_by_role('tab', name='Jewellery Profile').click()
                expect(form.get_by_role('textbox', name='Birthday:')
                    ).to_have_value(BIRTHDAY)
                budget = form.get_by_role('textbox', name='Budget To:')
                amount = Decimal('189157.81') + (size == 'phone')
                budget.click()
                page.keyboard.press('Control+A')
                page.keyboard.type(str(amount))
                page.keyboard.press('Tab')
                page.keyboard.press('Control+S')
                shown = '₹1,89,158.81' if size == 'phone' else '₹1,89,157.81'
                budget_group = form.locator('.form-float').filter(
                    has=page.get_by_role('textbox', name='Budget To:'))
                expect(budget).to_have_value(shown[1:])
                expect(budget_group.locator('.symbol-start')
                    ).to_have_text('₹')
                saved(page)
                self.screenshot(page, f'customer-360-{size}')
                session = self.server.login('jaipur.manager')
                customer, = session.model('party.party', 'search_read',
                    [('name', '=', CUSTOMER)], 0, None, None,
                    ['budget_max', 'birthday'])
                self.assertEqual(_decimal(customer['budget_max']), amount)
                self.assertEqual(_date(customer['birthday']),
                    dt.date(1977, 1, 13))
                page.context.close()

    def test_phone_finds_a_customer_at_390(self):
        "The counter's phone: a search box, a phone keypad, the customer"
        page = self.new_page(PHONE)
        login(page, self.server, 'jaipur.sales')
        open_menu(page, 'Jewel CRM', 'Customers')
        expect(page.locator('#tablist li.active')).to_contain_text(
            'Customers')
        box = search_box(page)
        expect(box).to_be_visible()
        self.screenshot(page, 'customers-phone')
        # at scanner speed, as the number is read off a card
        box.click()
        page.keyboard.type(MOBILE, delay=0)
        page.keyboard.press('Enter')
        expect(list_rows(page)).to_have_count(1)
        expect(name_cell(page, CUSTOMER)).to_have_count(1)
        self.screenshot(page, 'customers-phone-found')
        session = self.server.login('jaipur.sales')
        found = session.model('party.party', 'search_read',
            [('phone', '=', MOBILE)], 0, None, None, ['name'])
        self.assertEqual([f['name'] for f in found], [CUSTOMER])

    def test_visit_phone_keypad(self):
        """A visit's phone brings up the phone keypad and its budget the
        number keypad; the customer is found by the number typed"""
        session = self.server.login('jaipur.sales')
        domain = [('party.name', '=', CUSTOMER)]
        before = session.model('jewel.visit', 'search', domain, 0, None, None)
        page = self.new_page(PHONE)
        login(page, self.server, 'jaipur.sales')
        open_menu(page, 'Jewel CRM', 'Visits')
        expect(page.locator('#tablist li.active')).to_contain_text('Visits')
        active_tab(page).get_by_role('button', name='New').click()
        form = active_tab(page).locator('.form')
        phone = form.get_by_role('textbox', name='Phone:')
        expect(phone).to_have_attribute('inputmode', 'tel')
        expect(phone).to_have_attribute('type', 'tel')
        expect(form.locator('.form-float input[type=number]').first
            ).to_have_attribute('inputmode', 'decimal')
        phone.click()
        phone.press_sequentially('098290-00012', delay=20)
        phone.press('Tab')
        expect(form.get_by_role('textbox', name='Customer:')).to_have_value(
            CUSTOMER)
        self.screenshot(page, 'visit-phone')
        page.keyboard.press('Control+S')
        saved(page)
        visits = session.model('jewel.visit', 'search_read',
            domain + [('id', 'not in', before)], 0, None, None,
            ['phone', 'party.name'])
        self.assertEqual(len(visits), 1, visits)
        self.assertEqual(re.sub(r'\D', '', visits[0]['phone'])[-10:],
            '9829000012')

    def test_sale_line_breakdown_has_gst(self):
        "A line's price breakdown ends with its GST, amounts with ₹"
        session = self.server.login('jaipur.manager')
        lines = session.model('sale.line', 'search_read',
            [('sale.party.name', '=', "Aarav Sharma"), ('type', '=', 'line')],
            0, None, None, ['amount', 'gst_amount', 'amount_with_gst',
                'taxes.rate'])
        self.assertTrue(lines)
        for line in lines:
            amount = _decimal(line['amount'])
            rate = sum(_decimal(t['rate']) for t in line['taxes.'])
            self.assertGreater(rate, 0)
            gst = _decimal(line['gst_amount'])
            self.assertEqual(gst, (amount * rate).quantize(Decimal('0.01')))
            self.assertEqual(_decimal(line['amount_with_gst']), amount + gst)
        fields = session.model('sale.line', 'fields_get', [
                'metal_value', 'making_amount', 'gst_amount',
                'amount_with_gst'])
        for name, field in fields.items():
            self.assertEqual(field.get('symbol'), 'currency', name)


def _decimal(value):
    if isinstance(value, dict):
        return Decimal(value['decimal'])
    return Decimal(str(value))


def _date(value):
    if isinstance(value, dict):
        return dt.date(value['year'], value['month'], value['day'])
    return dt.date.fromisoformat(value)


if __name__ == '__main__':
    unittest.main()
