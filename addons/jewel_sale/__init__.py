# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"Jewel sale: counter sales of pieces, exchange, payments, invoices, reports"
