# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"Jewel CRM: tenants, showrooms, roles and the jewellery customer"

from . import view_cache, web_client  # noqa: F401
from .rpc_guard import register_error_handler

# Python errors escaping a client's call are answered with a short user error
register_error_handler()
