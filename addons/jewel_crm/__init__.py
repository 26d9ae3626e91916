# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"Jewel CRM: tenants, showrooms, roles and the jewellery customer"
from . import web_client  # noqa: F401
