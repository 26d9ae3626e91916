# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Printed documents: HTML templates rendered to PDF by WeasyPrint.

Tryton converts an ``ir.action.report`` whose ``template_extension`` is
``html`` and ``extension`` is ``pdf`` with WeasyPrint (no LibreOffice on the
server). A report of ours subclasses ``HTMLReport`` to get ``barcode_svg`` in
its template context::

    <div py:content="barcode_svg(piece.number)"/>

and ``business_lang(company)``, the language whose formats (dates, amounts
in lakhs) the business's documents use::

    <body py:with="lang = business_lang(invoice.company)">
"""
import io

import barcode
from barcode.writer import SVGWriter
from genshi.input import XML

from trytond.report import Report

from .formats import business_lang


def barcode_svg(value, symbology='code128', height_mm=10, module_mm=0.3):
    "An inline SVG barcode of value for an HTML template (no text below)"
    output = io.BytesIO()
    code = barcode.get(symbology, str(value), writer=SVGWriter())
    code.write(output, options={
            'module_height': height_mm,
            'module_width': module_mm,
            'quiet_zone': 2,
            'write_text': False,
            })
    svg = output.getvalue().decode('utf-8')
    # a markup stream, not a Markup string: the translator of translatable
    # reports would escape a string
    return XML(svg[svg.index('<svg'):])


class HTMLReport(Report):
    "A report from an HTML template, printed as PDF through WeasyPrint"

    @classmethod
    def get_context(cls, records, header, data):
        context = super().get_context(records, header, data)
        context['barcode_svg'] = barcode_svg
        # business_lang(company): English (India) formats for a business in
        # India, whatever the language of the user printing
        context['business_lang'] = business_lang
        return context
