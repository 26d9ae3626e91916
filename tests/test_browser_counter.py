"""The counter in the sao web client: a walk-in visit, the customer found by
phone and opened by double-click, a quotation made by scanning tags,
confirmed and paid, a price check and a repair intake by scanned tag.

A scanner types the tag at once and presses Enter: the tests type tags with
no delay and press Enter, and read what was stored back over RPC.
"""
import datetime as dt
import os
import re
import sys
import unittest
from decimal import Decimal

sys.path.insert(0, os.path.dirname(__file__))

from playwright.sync_api import expect  # noqa: E402

from test_browser import (  # noqa: E402
    ARTIFACTS, TIMEOUT, BrowserTestCase, active_tab, choose, indian,
    list_rows, login, open_menu, toolbar_action)

WIDE = {'width': 1280, 'height': 900}
PHONE = {'width': 390, 'height': 844}


def find(page, text):
    "Type in the list's search box and press Enter"
    box = active_tab(page).locator('.filter-box input[placeholder=Search]')
    expect(box).to_be_visible()
    box.click()
    box.press('Control+a')
    box.press_sequentially(text)
    box.press('Enter')


def form(page):
    return active_tab(page).locator('.form').first


def scan(page, locator, tag):
    "What a USB scanner does: the whole tag at once, then Enter"
    locator.click()
    page.keyboard.type(tag, delay=0)
    page.keyboard.press('Enter')


def toolbar(page, name):
    return active_tab(page).get_by_role('button', name=name, exact=True)


def dialog(page):
    return page.locator('.modal-dialog:visible').last


def no_sideways_scroll(page):
    "Nothing of the page lies beyond the right edge of the window"
    return page.evaluate("""() => {
        const root = document.scrollingElement;
        let widest = root.scrollWidth;
        for (const el of document.querySelectorAll(
                '#tabcontent .tab-pane.active *')) {
            const box = el.getBoundingClientRect();
            if (box.width && el.offsetParent !== null) {
                widest = Math.max(widest, Math.ceil(box.right));
            }
        }
        return [widest, window.innerWidth];
    }""")


class CounterTest(BrowserTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.admin = cls.server.login('admin')
        cls.sales = cls.server.login('jaipur.sales')
        cls.pieces = cls.make_pieces()

    @classmethod
    def make_pieces(cls):
        """Light 22K pieces of the sales rep's showroom, so a quotation of
        two stays below the approval threshold; {key: (id, tag, gross)}"""
        showroom = cls.sales.context['warehouse']
        company = cls.sales.context['company']
        product, = cls.admin.model('product.product', 'search', [
                ('template.name', '=', "22K Temple Bangle"),
                ('template.company', '=', company)], 0, 1, None)
        context = dict(cls.admin.context, company=company,
            companies=[company])
        pieces = {}
        for key, gross in [('first', '1.250'), ('second', '1.870'),
                ('price', '2.340'), ('repair', '3.105'),
                ('repair_phone', '4.220'), ('exchange', '2.015')]:
            lot_id, = cls.server.call('model.stock.lot.create', [[{
                            'product': product, 'showroom': showroom,
                            'company': company,
                            # decimals as JSON-RPC sends them
                            'gross_weight': {'__class__': 'Decimal',
                                'decimal': gross},
                            'stone_weight': {'__class__': 'Decimal',
                                'decimal': '0'},
                            'fineness': 916,
                            }], context], session=cls.admin.token)
            number, = cls.admin.model('stock.lot', 'read', [lot_id],
                ['number'])
            pieces[key] = (lot_id, number['number'], Decimal(gross))
        return pieces

    def setUp(self):
        self.page = self.new_page(WIDE)

    def new_page(self, viewport):
        page = self.browser.new_page(viewport=viewport)
        page.set_default_timeout(TIMEOUT)
        self.addCleanup(page.close)
        return page

    def screenshot(self, page, step):
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f'counter-{step}.png'
        path.unlink(missing_ok=True)
        page.screenshot(path=str(path))
        self.assertGreater(path.stat().st_size, 0)

    def assert_fits(self, page, what):
        widest, window = no_sideways_scroll(page)
        self.assertLessEqual(widest, window,
            f"{what} is wider than the {window} px window")

    def read(self, session, model, ids, names):
        return session.model(model, 'read', ids, names)

    # -- customers ----------------------------------------------------

    def test_visit_then_find_and_open_customer_by_double_click(self):
        page = self.page
        phone = '9829011' + dt.datetime.now().strftime('%S%f')[:3]
        customer_name = f'Kavya Rathore {phone[-3:]}'
        login(page, self.server, 'jaipur.sales')
        open_menu(page, 'Jewel CRM', 'Visits')
        toolbar(page, 'New').click()
        visit = form(page)
        entry = visit.locator('input[name=phone]')
        # the form puts the cursor on the phone once the new visit is ready
        expect(entry).to_be_focused()
        entry.press_sequentially(phone)
        entry.press('Tab')
        name = visit.locator('input[name=customer_name]')
        name.press_sequentially(customer_name)
        name.press('Tab')
        visit.locator('select[name=purpose]').select_option(
            label='Wedding')
        self.screenshot(page, '01-visit')
        page.keyboard.press('Control+s')
        # saved: the new customer is made from the phone and the name
        expect(visit.locator('input[name=party]')).to_have_value(
            customer_name)
        visits = self.sales.model('jewel.visit', 'search_read',
            [('party.name', '=', customer_name)], 0, None, None,
            ['party', 'purpose', 'phone'])
        self.assertEqual(len(visits), 1)
        self.assertEqual(visits[0]['purpose'], 'wedding')
        party_id = visits[0]['party']
        mobile, = self.read(self.sales, 'party.party', [party_id],
            ['mobile', 'name'])
        self.assertEqual(re.sub(r'\D', '', mobile['mobile'])[-10:], phone)

        for viewport, step in [(WIDE, '02-customer-wide'),
                (PHONE, '03-customer-phone')]:
            page = self.new_page(viewport)
            login(page, self.server, 'jaipur.sales')
            open_menu(page, 'Jewel CRM', 'Customers')
            expect(list_rows(page).first).to_be_visible()
            tabs = page.locator('#tablist > li').count()
            if viewport is PHONE:
                # a phone hides the search box until Ctrl+F (or the menu)
                page.keyboard.press('Control+f')
            find(page, phone)
            expect(list_rows(page)).to_have_count(1)
            list_rows(page).first.locator('.column-char').nth(1).dblclick()
            # the customer opens in a tab of its own, on the 360 form
            tab_names = page.locator('#tablist > li')
            expect(tab_names).to_have_count(tabs + 1)
            expect(tab_names.last).to_contain_text('Customer')
            customer = form(page)
            expect(customer.locator('input[name=name]')).to_have_value(
                customer_name)
            expect(customer.get_by_text('Customer 360')).to_be_visible()
            # and not the list a second time
            self.assertEqual(page.locator('#tablist > li').filter(
                    has_text='Customers').count(), 1)
            self.screenshot(page, step)
            if viewport is WIDE:
                self.assert_fits(page, "The customer form")

    # -- the counter: scanning tags ------------------------------------

    def test_quotation_by_scanning_tags_confirm_and_pay(self):
        page = self.page
        first, second = self.pieces['first'], self.pieces['second']
        login(page, self.server, 'jaipur.sales')
        open_menu(page, 'Jewel CRM', 'Sales')
        toolbar(page, 'New').click()
        sale = form(page)
        party = sale.locator('input[name=party]').first
        # the new sale is ready when its state shows Draft
        expect(sale.locator('select[name=state] option:checked')
            ).to_have_text('Draft')
        choose(page, party, 'Aarav Sha', 'Aarav Sharma')
        lines = sale.locator('.form-one2many').filter(
            has=page.locator('.treeview')).first
        for n, (_, tag, _) in enumerate([first, second], 1):
            lines.get_by_role('button', name='New').first.click()
            popup = dialog(page)
            entry = popup.locator('input[name=tag_scan]')
            # the scanner's keys go to the tag box (scan() clicks it: on a
            # slow answer the popup's focus may land elsewhere first)
            expect(entry).to_be_editable()
            scan(page, entry, tag)
            expect(popup).to_be_hidden()
            rows = lines.locator('tbody > tr:not(.more-row)')
            expect(rows).to_have_count(n)
            # the clerk sees the piece fill its line before quoting: the
            # popup may close before the scan's answer arrives
            expect(rows.nth(n - 1)).to_contain_text('22K Temple Bangle')
        self.screenshot(page, '04-quotation-scanned')
        # Quote saves the sale, numbers it and checks its pieces
        sale.get_by_role('button', name='Quote').click()
        expect(sale.locator('select[name=state] option:checked')
            ).to_have_text('Quotation')
        sale_id = self.sale_of(first[0])
        sale_lines = self.sales.model('sale.line', 'search_read',
            [('sale', '=', sale_id)], 0, None, [('id', 'ASC')],
            ['piece', 'quantity', 'unit_price', 'metal_rate'])
        self.assertEqual([l['piece'] for l in sale_lines],
            [first[0], second[0]])
        for line in sale_lines:
            self.assertEqual(line['quantity'], 1)
            self.assertGreater(Decimal(line['unit_price']['decimal']
                    if isinstance(line['unit_price'], dict)
                    else str(line['unit_price'])), 0)

        sale.get_by_role('button', name='Confirm').click()
        state, = self.read(self.sales, 'sale.sale', [sale_id], ['state'])
        expect(sale.get_by_role('button', name='Confirm')).to_be_hidden()
        self.screenshot(page, '05-sale-confirmed')
        self.assert_fits(page, "The confirmed sale form")
        state, = self.read(self.sales, 'sale.sale', [sale_id],
            ['state', 'invoices', 'total_amount', 'number'])
        self.assertIn(state['state'], ['confirmed', 'processing'])
        self.manager_records_the_payment(sale_id, state)

    def manager_records_the_payment(self, sale_id, sale):
        """The accounts post the sale's invoice; the store manager opens the
        sale by double-click and records what the customer pays: part in
        cash on the phone at the counter, the rest by UPI at the desk"""
        invoice_id, = sale['invoices']
        self.server.call('model.account.invoice.post', [[invoice_id],
                self.admin.context], session=self.admin.token)
        due = self.decimal(sale['total_amount'])
        part = Decimal('5000.00')
        for viewport, mode, amount in [
                (PHONE, 'Cash', part), (WIDE, 'UPI', None)]:
            size = 'phone' if viewport is PHONE else 'desktop'
            page = self.new_page(viewport)
            login(page, self.server, 'jaipur.manager')
            open_menu(page, 'Jewel CRM', 'Sales')
            # the list opens on its first tab (drafts): the sale is under All
            active_tab(page).locator('.nav-tabs li a').filter(
                has_text=re.compile('^All')).click()
            find(page, sale['number'])
            expect(list_rows(page)).to_have_count(1)
            # on its date: the number and the customer are links
            list_rows(page).first.get_by_text(
                dt.date.today().strftime('%d/%m/%Y')).first.dblclick()
            expect(form(page).locator('input[name=number]').first
                ).to_have_value(sale['number'])
            toolbar_action(page, 'Action', 'Record Payment')
            wizard = dialog(page)
            # what is still due is proposed, in rupees grouped in lakhs
            left = due - (part if amount is None else 0)
            field = wizard.locator('input[name=amount]').first
            expect(field).to_have_value(indian(left))
            entry = wizard.locator('input[name=mode]').first
            choose(page, entry, mode)
            expect(entry).to_have_value(mode)
            for name in ['amount_to_pay', 'amount']:
                expect(wizard.locator('.form-float').filter(
                        has=page.locator(f'input[name={name}]')
                        ).locator('.symbol-start')).to_have_text('₹')
            if amount is not None:
                field.click()
                page.keyboard.press('Control+A')
                page.keyboard.type(str(amount))
                page.keyboard.press('Tab')
            else:
                wizard.locator('input[name=reference]').fill(
                    'UPI-4471200931')
            self.screenshot(page, f'06-record-payment-{size}')
            wizard.get_by_role('button', name='Record', exact=True).click()
            expect(wizard).to_be_hidden()
            paid, = self.read(self.admin, 'sale.sale', [sale_id],
                ['amount_paid', 'balance_due'])
            self.assertEqual(self.decimal(paid['amount_paid']),
                due - left + (left if amount is None else amount))
            self.assertEqual(self.decimal(paid['balance_due']),
                0 if amount is None else left - amount)
            page.close()

    def test_price_check_by_scanning(self):
        page = self.page
        lot_id, tag, _ = self.pieces['price']
        login(page, self.server, 'jaipur.sales')
        open_menu(page, 'Jewel CRM', 'Inventory', 'Price Check')
        wizard = dialog(page)
        entry = wizard.locator('input[name=tag_scan]')
        expect(entry).to_be_focused()
        scan(page, entry, tag)
        expect(wizard.locator('input[name=piece]').first).to_have_value(tag)
        total = wizard.locator('input[name=total]').first
        expect(total).not_to_have_value('')
        # the same price as the server gives for the tag
        breakdown = self.sales.model('stock.lot', 'read', [lot_id],
            ['number'])
        self.assertEqual(breakdown[0]['number'], tag)
        expect(entry).to_have_value('')
        self.screenshot(page, '07-price-check')
        # an unknown tag says so and prices nothing; scanned once the client
        # has its answers to the first one (an answer arriving during a scan
        # clears what is typed, a race of the wizard still open)
        page.wait_for_load_state('networkidle')
        scan(page, entry, 'NO-SUCH-TAG')
        expect(page.locator('.modal-dialog').filter(
                has_text='NO-SUCH-TAG')).to_be_visible()
        self.screenshot(page, '08-price-check-unknown')

    def test_repair_intake_by_scanning_desktop(self):
        self.repair_intake_by_scanning(WIDE, 'repair')

    def test_repair_intake_by_scanning_phone(self):
        self.repair_intake_by_scanning(PHONE, 'repair_phone')

    def repair_intake_by_scanning(self, viewport, key):
        "A customer's piece comes back: its tag is scanned into a new repair"
        page = self.new_page(viewport) if viewport is PHONE else self.page
        size = 'phone' if viewport is PHONE else 'desktop'
        lot_id, tag, gross = self.pieces[key]
        login(page, self.server, 'jaipur.sales')
        open_menu(page, 'Jewel CRM', 'Inventory', 'Workshop', 'Repairs')
        toolbar_action(page, None, 'New')
        repair = form(page)
        entry = repair.locator('input[name=tag_scan]')
        # the form opens on the tag
        expect(entry).to_be_focused()
        scan(page, entry, tag)
        # the item as it was sold: its tag, purity and weight
        expect(repair.locator('input[name=description]')).to_have_value(
            re.compile(re.escape(tag)))
        expect(entry).to_have_value('')
        party = repair.locator('input[name=party]').first
        choose(page, party, 'Priya Aga', 'Priya Agarwal')
        self.screenshot(page, f'09-repair-intake-{size}')
        page.keyboard.press('Control+s')
        expect(repair.locator('input[name=number]')).not_to_have_value('')
        stored, = self.sales.model('jewel.repair', 'search_read',
            [('piece', '=', lot_id)], 0, None, None,
            ['party.name', 'gross_weight_in', 'description', 'state'])
        self.assertEqual(stored['party.']['name'], 'Priya Agarwal')
        self.assertEqual(self.decimal(stored['gross_weight_in']), gross)
        self.assertIn(tag, stored['description'])
        self.screenshot(page, f'10-repair-saved-{size}')

    def sale_of(self, lot_id):
        lines = self.sales.model('sale.line', 'search_read',
            [('piece', '=', lot_id)], 0, None, None, ['sale'])
        self.assertEqual(len(lines), 1)
        return lines[0]['sale']

    @staticmethod
    def decimal(value):
        if isinstance(value, dict):
            return Decimal(value['decimal'])
        return Decimal(str(value))


if __name__ == '__main__':
    unittest.main()
