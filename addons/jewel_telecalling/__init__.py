# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"Jewel telecalling: showroom visits, lead assignment, calls and scores"
