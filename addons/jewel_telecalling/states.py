# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The states of leads and the statuses of calls: a call reads its lead's
state and a lead shows its last call's status, so both files import them
from here."""

# A lead in these states is still to be called
OPEN_STATES = ('unassigned', 'assigned')
CALL_STATUSES = [
    ('connected', "Connected"),
    ('not_connected', "Not Connected"),
    ('busy', "Busy"),
    ('switched_off', "Switched Off"),
    ('wrong_number', "Wrong Number"),
    ('call_back_later', "Call Back Later"),
    ('do_not_call', "Do Not Call"),
    ]
