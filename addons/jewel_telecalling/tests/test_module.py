# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt
import os
import unittest

from trytond.modules.company.tests import (
    CompanyTestMixin, create_company, set_company)
from trytond.pool import Pool
from trytond.tests.test_tryton import ModuleTestCase, with_transaction

from jewel_crm.tests.bounds import QuantityBoundsMixin
from jewel_crm.tests.static import StaticChecksOnce


class JewelTelecallingTestCase(
        StaticChecksOnce, QuantityBoundsMixin, CompanyTestMixin,
        ModuleTestCase):
    "Test Jewel Telecalling module"
    module = 'jewel_telecalling'

    @property
    def _skip_company_rule(self):
        return super()._skip_company_rule | {
            ('stock.location', 'company'), ('party.party', 'company')}

    @with_transaction()
    def test_retry_within_calling_hours(self):
        "A retry falls within the business's calling hours, in its timezone"
        Configuration = Pool().get('jewel.telecalling.configuration')
        company = create_company()
        company.timezone = 'Asia/Kolkata'
        company.save()
        with set_company(company):
            config = Configuration.get(company.id)
            self.assertEqual(config.retry_hours, 4)
            self.assertEqual(
                (config.calling_start, config.calling_end),
                (dt.time(10), dt.time(19)))
            # stored datetimes are UTC; Jaipur is UTC+05:30
            for call, retry in [
                    # 10:30, retried at 14:30
                    (dt.datetime(2026, 1, 5, 5, 0),
                        dt.datetime(2026, 1, 5, 9, 0)),
                    # 14:59, retried at 18:59, before closing
                    (dt.datetime(2026, 1, 5, 9, 29),
                        dt.datetime(2026, 1, 5, 13, 29)),
                    # 15:30: 19:30 is after closing, 10:00 the next day
                    (dt.datetime(2026, 1, 5, 10, 0),
                        dt.datetime(2026, 1, 6, 4, 30)),
                    # 22:17: 02:17 is before opening, 10:00 that day
                    (dt.datetime(2026, 1, 5, 16, 47),
                        dt.datetime(2026, 1, 6, 4, 30)),
                    # 04:17 at night: 08:17, still before opening
                    (dt.datetime(2026, 1, 4, 22, 47),
                        dt.datetime(2026, 1, 5, 4, 30)),
                    ]:
                with self.subTest(call=call):
                    self.assertEqual(config.retry_time(call), retry)
            # a call back on a day: when the calling hours open
            self.assertEqual(config.calling_day(dt.date(2026, 1, 7)),
                dt.datetime(2026, 1, 7, 4, 30))

            config.calling_start = dt.time(9)
            config.calling_end = dt.time(21)
            self.assertEqual(config.retry_time(dt.datetime(2026, 1, 5, 11)),
                dt.datetime(2026, 1, 5, 15))

    @unittest.skipIf(os.environ.get('TRYTOND_TZ', 'UTC') != 'UTC',
        "the server's timezone is not UTC")
    @with_transaction()
    def test_retry_without_timezone(self):
        "A business without timezone calls in the server's (UTC) hours"
        Configuration = Pool().get('jewel.telecalling.configuration')
        company = create_company()
        with set_company(company):
            config = Configuration.get(company.id)
            self.assertEqual(config.retry_time(dt.datetime(2026, 1, 5, 16)),
                dt.datetime(2026, 1, 6, 10))


del ModuleTestCase
