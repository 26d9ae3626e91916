"""The sao web client shows a sales rep only the customers of their business."""
import os
import re
import sys
import unittest
from pathlib import Path

sys.path.insert(0, os.path.dirname(__file__))

from playwright.sync_api import (  # noqa: E402
    TimeoutError as PlaywrightTimeoutError, expect, sync_playwright)

from jewel import DEMO_PASSWORD  # noqa: E402
from server import ServerTestCase  # noqa: E402

ARTIFACTS = Path(__file__).resolve().parent.parent / 'test-artifacts'
CHROMIUM = '/usr/bin/chromium'
CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic',
    '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync']
TIMEOUT = 30_000


def login(page, server, user):
    page.goto(f'{server.url}/#{server.database}')
    # the server lists no database: the box is typed in, as a user does
    # when the address does not name it
    box = page.locator('#database:visible')
    expect(box).to_be_visible()
    if not box.input_value():
        box.fill(server.database)
    expect(box).to_have_value(server.database)
    page.fill('input#login', user)
    page.click('.modal-dialog button[type=submit]')
    page.fill('.ask-dialog #ask-dialog-entry', DEMO_PASSWORD)
    page.click('.ask-dialog button[title=OK]')


def open_menu(page, *path):
    """Click through the menu: on a phone sao folds it away once the home
    tab is ready; folders already open (the client remembers them per user)
    stay open; several menus share a name (Sales, Workshop), so the entry
    is the first one with a favourite star"""
    # the home tab comes first: the menu is ready once it is there
    expect(page.locator('#tablist > li').first).to_contain_text('Dashboard')
    *parents, leaf = path
    top = menu_row(page, path[0]).first
    if page.viewport_size['width'] < 768:
        expect(page.locator('#menu')).to_have_class(re.compile(r'\bhidden\b'))
        page.locator('a.navbar-brand[data-toggle=menu]').click()
    expect(top).to_be_visible()
    entry = menu_row(page, leaf).filter(
        has=page.get_by_role('img', name='Add to favorites')).first
    for depth, name in enumerate(parents):
        below = (entry if depth == len(parents) - 1
            else menu_row(page, parents[depth + 1]).first)
        if not below.is_visible():
            menu_row(page, name).filter(has=page.locator('.expander')
                ).first.locator('.expander').click()
            expect(below).to_be_visible()
    tabs = page.locator('#tablist > li')
    opened = tabs.count()
    entry.click()
    # the new tab (or a wizard's dialog) is in front before anything is
    # looked for in it
    expect(tabs.nth(opened).locator('xpath=self::*[contains(@class, "active")]')
        .or_(page.locator('.modal-dialog')).first).to_be_attached()


def menu_row(page, name):
    return page.locator('#menu tr').filter(
        has=page.locator(f'.column-char[title="{name}"]'))


def list_rows(page):
    return page.locator('#tabcontent .tab-pane.active .treeview tbody'
        ' > tr:not(.more-row)')


def record_count(page):
    badge = page.locator('#tabcontent .tab-pane.active span.badge')
    return int(badge.inner_text().split('/')[-1])


def show_all_rows(page):
    "sao renders rows in pages of 20 behind a More button"
    total = record_count(page)
    rows = list_rows(page)
    more = page.locator('#tabcontent .tab-pane.active tr.more-row button')
    while rows.count() < total:
        shown = rows.count()
        more.click()
        expect(rows).not_to_have_count(shown)
    expect(rows).to_have_count(total)


def search(page, text):
    box = page.locator('#tabcontent .tab-pane.active .filter-box input'
        '[placeholder=Search]')
    box.fill(text)
    box.press('Enter')


def indian(amount):
    "An amount as the client shows it for an Indian business: 1,89,157.81"
    whole, fraction = f'{amount:.2f}'.split('.')
    head, groups = whole[:-3], [whole[-3:]]
    while head:
        groups.insert(0, head[-2:])
        head = head[:-2]
    return ','.join(groups) + '.' + fraction


def choose(page, entry, typed, picked=None):
    """Type the first letters into a many-to-one box and pick the record
    from the completion list, as a clerk does.  A form that is still
    loading redraws the box and drops what was typed; the clerk sees an
    empty box and types again."""
    picked = picked or typed
    option = page.locator('.dropdown-menu:visible li a', has_text=picked).first
    for _ in range(3):
        entry.click()
        page.keyboard.press('Control+A')
        entry.press_sequentially(typed)
        try:
            option.wait_for(state='visible', timeout=TIMEOUT // 3)
        except PlaywrightTimeoutError:
            continue
        option.click()
        expect(entry).to_have_value(re.compile(re.escape(picked)))
        return
    raise AssertionError(f'no {picked!r} offered after typing {typed!r}')


def active_tab(page):
    return page.locator('#tabcontent .tab-pane.active')


def toolbar_action(page, menu, item):
    """Run the item of a toolbar menu (Action, Relate) or a toolbar button
    (New); a phone has the toolbar in the menu of the tab's title"""
    tab = active_tab(page)
    if page.viewport_size['width'] < 768:
        tab.locator('a.navbar-brand.dropdown-toggle').click()
        if menu:
            page.locator('.dropdown-menu:visible').get_by_text(
                menu, exact=True).click()
    elif menu:
        title = {'Action': 'Launch action', 'Print': 'Print report',
            'Relate': 'Open related records'}[menu]
        tab.locator(f'button[title="{title}"]').click()
    else:
        tab.get_by_role('button', name=item, exact=True).click()
        return
    page.locator('.dropdown-menu:visible').get_by_text(
        item, exact=True).click()


def name_cell(page, name):
    return list_rows(page).locator(f'.column-char[title="{name}"]')


class BrowserTestCase(ServerTestCase):
    "One server and one headless Chromium for the class"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.playwright = sync_playwright().start()
        try:
            cls.browser = cls.playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        except Exception:
            cls.playwright.stop()
            raise
        expect.set_options(timeout=TIMEOUT)

    @classmethod
    def tearDownClass(cls):
        cls.browser.close()
        cls.playwright.stop()
        super().tearDownClass()


class CustomerListTest(BrowserTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()

    def setUp(self):
        self.page = self.browser.new_page(
            viewport={'width': 1280, 'height': 900})
        self.page.set_default_timeout(TIMEOUT)
        self.addCleanup(self.page.close)

    def test_sales_rep_sees_only_own_business_customers(self):
        page = self.page
        login(page, self.server, 'jaipur.sales')
        open_menu(page, 'Jewel CRM', 'Customers')
        expect(name_cell(page, 'Aarav Sharma')).to_be_visible()

        show_all_rows(page)
        for name in ['Aarav Sharma', 'Priya Agarwal']:
            expect(name_cell(page, name)).to_have_count(1)
        for name in ['Rohan Mehta', 'Isha Shah']:
            expect(name_cell(page, name)).to_have_count(0)
        self.assert_screenshot(page, 'browser-customers-jaipur-sales.png')

        search(page, 'Rohan')
        expect(page.locator('#tabcontent .tab-pane.active span.badge')
            ).to_have_text(re.compile(r'/0$'))
        expect(list_rows(page)).to_have_count(0)

    def test_counter_finds_customer_by_phone_in_any_form(self):
        "Typed as the customer says it, the mobile finds the one customer"
        page = self.page
        login(page, self.server, 'jaipur.sales')
        open_menu(page, 'Jewel CRM', 'Customers')
        expect(name_cell(page, 'Aarav Sharma')).to_be_visible()
        for written in ['098290-00007', '+91 98290 00007', '9829000007']:
            # an empty result first, so the next count is the new search's
            search(page, 'no such customer')
            expect(list_rows(page)).to_have_count(0)
            search(page, written)
            expect(list_rows(page)).to_have_count(1)
            expect(name_cell(page, 'Anil Mittal')).to_have_count(1)

        # the 360 form of the customer found
        name_cell(page, 'Anil Mittal').click()
        expect(list_rows(page).locator('input[type=checkbox]')).to_be_checked()
        page.locator('#tabcontent .tab-pane.active').get_by_role(
            'button', name='Switch').click()
        form = page.locator('#tabcontent .tab-pane.active .form')
        expect(form.get_by_role('textbox', name='Name:')).to_have_value(
            'Anil Mittal')
        expect(form.get_by_text('Customer 360')).to_be_visible()
        expect(form.get_by_role('button', name='Sales')).to_be_visible()
        expect(form.get_by_text('Last Purchase')).to_be_visible()
        self.assert_screenshot(page, 'browser-customer-360.png')

        # her history: created by the demo loader
        form.get_by_text('Privacy and History').click()
        expect(form.get_by_text('Created').first).to_be_visible()
        self.assert_screenshot(page, 'browser-customer-history.png')

    def test_phone_of_another_business_finds_nothing(self):
        page = self.page
        login(page, self.server, 'jaipur.sales')
        open_menu(page, 'Jewel CRM', 'Customers')
        expect(name_cell(page, 'Aarav Sharma')).to_be_visible()
        # Rohan Mehta's mobile at Mumbai Diamond House
        search(page, '098200-00001')
        expect(page.locator('#tabcontent .tab-pane.active span.badge')
            ).to_have_text(re.compile(r'/0$'))
        expect(list_rows(page)).to_have_count(0)

    def test_manager_tunes_an_auto_tag_rule_and_runs_it(self):
        """The preview counts the customers as the condition is typed, a
        condition that does not parse says why, Run Now tags and logs"""
        page = self.page
        login(page, self.server, 'jaipur.manager')
        open_menu(page, 'Jewel CRM', 'Engagement', 'Auto-Tag Rules')
        expect(name_cell(page, 'Big Spender')).to_be_visible()
        for name in ['Birthday This Week', 'Diamond Lover', 'Wedding Buyer']:
            expect(name_cell(page, name)).to_have_count(1)
        name_cell(page, 'Big Spender').click()
        active_tab(page).get_by_role('button', name='Switch').click()
        form = active_tab(page).locator('.form')
        condition = form.locator('textarea')
        matching = form.get_by_role('textbox', name='Matching Customers:')
        tagged = form.get_by_role('textbox', name='Tagged by the Rule:')
        error = form.get_by_role('textbox', name='Condition Error:')
        expect(condition).to_have_value('lifetime_spend >= 100000')
        big_spenders = int(matching.input_value())
        expect(tagged).to_have_value(str(big_spenders))

        def type_condition(text):
            condition.fill(text)
            condition.press('Tab')
        type_condition('lifetime_spend >= 1000000000')
        expect(matching).to_have_value('0')
        type_condition('lifetime_spend >=')
        expect(error).to_have_value(re.compile('needs a number'))
        type_condition('lifetime_spend >= 0')
        # the count comes with the error, in one call of the client
        expect(error).to_have_value('')
        everyone = int(matching.input_value())
        self.assertGreater(everyone, big_spenders)

        form.get_by_role('button', name='Run Now').click()
        expect(tagged).to_have_value(str(everyone))
        runs = form.locator('.treeview tbody > tr:not(.more-row)')
        expect(runs).to_have_count(2)
        expect(runs.first.locator('.column-integer').first).to_have_text(
            str(everyone - big_spenders))
        self.assert_screenshot(page, 'browser-tag-rule.png')

    def test_telecaller_opens_the_call_queue(self):
        "The queue lists the telecaller's leads with the day and time to call"
        page = self.page
        login(page, self.server, 'jaipur.telecaller')
        open_menu(page, 'Jewel CRM', 'My Call Queue')
        headers = active_tab(page).locator('.treeview thead th')
        for title in ['Customer', 'Next Call', 'Next Call Time']:
            expect(headers.filter(has_text=re.compile(f'^{title}$'))
                ).to_have_count(1)
        expect(list_rows(page).first).to_be_visible()
        self.assertGreater(record_count(page), 0)
        self.assert_screenshot(page, 'browser-call-queue.png')

    def assert_screenshot(self, page, name):
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / name
        path.unlink(missing_ok=True)
        page.screenshot(path=str(path))
        self.assertGreater(path.stat().st_size, 0)


if __name__ == '__main__':
    unittest.main()
