# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"The intake receipt handed to the customer, with the claim's barcode"
from jewel_crm.printing import HTMLReport


class RepairReceipt(HTMLReport):
    "Repair intake receipt (PDF)"
    __name__ = 'jewel.repair.receipt'
