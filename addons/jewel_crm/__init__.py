# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"Jewel CRM: tenants, showrooms, roles and the jewellery customer"
import os

# The processes that read the rows of a customer file import this package
# for the parser only (customer_rows.ParsedRows): the server's hooks would
# load trytond in each of them
if not os.environ.get('JEWEL_ROWS_WORKER'):
    from . import view_cache, web_client  # noqa: F401
    from .rpc_guard import register_error_handler

    # Python errors escaping a client's call get a short user error
    register_error_handler()
