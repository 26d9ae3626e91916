# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Our additions to the sao web client, served by trytond itself.

sao's index.html loads ``custom.js`` and ``custom.css`` after sao, its hook
for site changes, and the catalogue ``locale/<language>.json`` of the
user's language.  sao ships none of them, so trytond's static files pass
these requests to its routes, and the module answers them from ``web/``
(the installed sao stays as npm delivers it, and the additions follow the
module wherever it is activated):

- ``custom.js``: fixes of sao's widgets and phone keypads (see the file);
- ``custom.css``: lists, dashboards and forms on phones;
- ``locale/en_IN.json``: an empty catalogue for English (India): without
  it sao falls back to ``en`` and groups numbers without lakhs.
"""
import mimetypes
from http import HTTPStatus
from pathlib import Path

from werkzeug.wrappers import Response

from trytond.wsgi import app

WEB = Path(__file__).resolve().parent / 'web'
FILES = {'custom.js', 'custom.css', 'locale/en_IN.json'}


def _serve(name):
    path = WEB / name
    content_type = mimetypes.guess_type(name)[0] or 'text/plain'
    response = Response(path.read_bytes(), HTTPStatus.OK,
        content_type=f'{content_type}; charset=utf-8')
    response.headers['Cache-Control'] = 'no-cache'
    return response


@app.route('/custom.js', methods=['GET', 'HEAD'])
def sao_custom_js(request):
    return _serve('custom.js')


@app.route('/custom.css', methods=['GET', 'HEAD'])
def sao_custom_css(request):
    return _serve('custom.css')


@app.route('/locale/en_IN.json', methods=['GET', 'HEAD'])
def sao_locale_en_in(request):
    return _serve('locale/en_IN.json')
