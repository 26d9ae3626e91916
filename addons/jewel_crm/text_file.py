# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Files and dates as people bring them: CSV exported from a spreadsheet
(UTF-8, with or without a byte order mark, comma or semicolon), dates
written day first as in India or as ISO dates.  Every import reads them
here, so a file one import accepts the others accept too."""
import csv
import datetime as dt
import io
import re

ISO_DATE = re.compile(r'^\d{4}-\d{2}-\d{2}$')
DAY_FIRST = re.compile(r'^(\d{1,2})[/-](\d{1,2})[/-](\d{4})$')


def decode(data, error):
    """The text of the uploaded bytes; raise error (an exception class)
    naming the line of the first byte that is not UTF-8, or saying the
    file is empty"""
    gettext = _gettext()
    try:
        text = data.decode('utf-8-sig')
    except UnicodeDecodeError as exception:
        line = data[:exception.start].count(b'\n') + 1
        raise error(gettext(
                'jewel_crm.msg_import_not_utf8', line=line)) from exception
    if not text.strip():
        raise error(gettext('jewel_crm.msg_import_empty'))
    return text


def csv_rows(text, error):
    """(header cells, [(line number, cells)]) of the CSV text without its
    blank lines; the delimiter is the semicolon when the header has more
    of them than commas (spreadsheets of countries with decimal commas)"""
    gettext = _gettext()
    first_line = text.split('\n', 1)[0]
    delimiter = ';' if first_line.count(';') > first_line.count(',') else ','
    reader = csv.reader(io.StringIO(text, newline=''), delimiter=delimiter)
    try:
        header = next(reader)
        rows = [(reader.line_num, cells) for cells in reader
            if any(c.strip() for c in cells)]
    except csv.Error as exception:
        raise error(gettext(
                'jewel_crm.msg_import_bad_csv', line=reader.line_num,
                error=str(exception))) from exception
    return header, rows


def _gettext():
    # Imported when a file is read: the processes parsing customer rows
    # use parse_day and must not load the server
    from trytond.i18n import gettext
    return gettext


def parse_day(text):
    """The date of DD/MM/YYYY, DD-MM-YYYY or YYYY-MM-DD; raise ValueError
    otherwise (regular expressions, as strptime is slow on big files)"""
    match = DAY_FIRST.match(text)
    if match:
        day, month, year = map(int, match.groups())
        return dt.date(year, month, day)
    if ISO_DATE.match(text):
        return dt.date.fromisoformat(text)
    raise ValueError(text)


def parse_moment(text):
    """The naive date and time of an ISO date-time, or of a day as
    parse_day reads it followed by the time (30/11/2026 09:30); None when
    the text is neither"""
    text = (text or '').strip()
    try:
        return dt.datetime.fromisoformat(text).replace(tzinfo=None)
    except ValueError:
        pass
    day, _, time = text.partition(' ')
    for format_ in ['%H:%M', '%H:%M:%S']:
        try:
            return dt.datetime.combine(parse_day(day),
                dt.datetime.strptime(time.strip(), format_).time())
        except ValueError:
            pass
    return None
