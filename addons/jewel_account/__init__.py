# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"Jewel account: GST registers, HSN summary, receivables, books and Tally"
