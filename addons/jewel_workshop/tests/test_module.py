# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt
from decimal import Decimal

from trytond.modules.company.tests import (
    CompanyTestMixin, create_company, set_company)
from trytond.pool import Pool
from trytond.tests.test_tryton import ModuleTestCase, with_transaction

from jewel_crm.document import CustomerDocument, CustomerDocumentMixin
from jewel_crm.tests.bounds import QuantityBoundsMixin
from jewel_crm.tests.static import StaticChecksOnce


class JewelWorkshopTestCase(
        StaticChecksOnce, QuantityBoundsMixin, CompanyTestMixin,
        ModuleTestCase):
    "Test Jewel Workshop module"
    module = 'jewel_workshop'

    @property
    def _skip_company_rule(self):
        return super()._skip_company_rule | {('party.party', 'company')}

    @with_transaction()
    def test_repair_as_customer_document(self):
        """A repair gives a message about it its customer, claim number,
        estimate and promised date"""
        pool = Pool()
        Repair = pool.get('jewel.repair')
        Party = pool.get('party.party')
        company = create_company()
        with set_company(company):
            party = Party(name="Sunita Jain")
            repair = Repair(company=company, party=party, number='RC-00001',
                estimate=Decimal('700.00'),
                promised_date=dt.date(2026, 1, 5))
            self.assertIsInstance(repair, CustomerDocumentMixin)
            self.assertEqual(repair.get_customer_document(),
                CustomerDocument(party=party, number='RC-00001',
                    amount=Decimal('700.00'), currency=company.currency,
                    due_date=dt.date(2026, 1, 5)))
            self.assertIsNone(repair.get_customer_document_file())

del ModuleTestCase
