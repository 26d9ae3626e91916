"""Demo data of telecalling: visits at the counter, their leads assigned to
the business's telecaller, calls logged by the telecaller, scores.

Each step runs once per business (see demo._feature_steps) and does
nothing when the business already has visits."""
import datetime
from decimal import Decimal

# customer number in demo.BUSINESSES, purpose, interest, lead quality,
# budget, pieces seen
VISITS = [
    (2, 'wedding', 'hot', '5', Decimal('450000'), "Bridal necklace set"),
    (3, 'gifting', 'warm', '3', Decimal('60000'), "Pendants, light chains"),
    (4, 'festival', 'warm', '4', Decimal('120000'), "Bangles for Diwali"),
    (5, 'investment', 'cold', '2', Decimal('200000'), "Gold coins"),
    ]
# visit index, status, duration in seconds, sentiment, revisit in days
CALLS = [
    (0, 'connected', 420, 'positive', 5),
    (1, 'not_connected', 0, None, None),
    (2, 'connected', 180, 'neutral', None),
    ]


def _model(name):
    from proteus import Model
    return Model.get(name)


def _configuration(config, business, state):
    """The business's own values of the telecalling configuration, saved
    as the defaults"""
    Configuration = _model('jewel.telecalling.configuration')
    company = state[business['key']]
    context = {**config.context, 'company': company.id}
    settings, = Configuration._proxy.read(
        Configuration._proxy.search([], 0, None, None, context),
        ['call_attempts'], context)
    Configuration._proxy.write([settings['id']],
        {'call_attempts': settings['call_attempts']}, context)


def _visits_calls_and_scores(config, business, state):
    Visit = _model('jewel.visit')
    Party = _model('party.party')
    Category = _model('product.category')
    Lead = _model('jewel.telecalling.lead')
    User = _model('res.user')
    from proteus import Wizard
    company = state[business['key']]
    if Visit.find([('company', '=', company.id)], limit=1):
        return
    showroom = _model('stock.location')(
        state[business['key'] + '.showrooms'][0].id)
    jewellery, = Category.find([
            ('name', '=', "Jewellery"), ('company', '=', company.id)])
    visits = []
    for number, purpose, interest, quality, budget, pieces in VISITS:
        party, = Party.find([
                ('name', '=', business['customers'][number - 1]),
                ('company', '=', company.id)])
        visit = Visit(party=party, showroom=showroom, purpose=purpose,
            interest_level=interest, lead_quality=quality, budget=budget,
            pieces_seen=pieces, companions='family')
        visit.categories.append(Category(jewellery.id))
        visit.save()
        visits.append(visit)
    telecaller, = User.find([('login', '=', f"{business['key']}.telecaller")])
    # the last lead stays unassigned, for the manager to give out
    leads = [Lead(v.lead.id) for v in visits[:-1]]
    assign = Wizard('jewel.telecalling.lead.assign', leads)
    # the wizard proposes the business's telecallers: keep only this one
    while assign.form.telecallers:
        assign.form.telecallers.pop()
    assign.form.telecallers.append(User(telecaller.id))
    assign.form.strategy = 'balanced'
    assign.execute('assign')
    assign.execute('end')
    with _as_user(config, telecaller.id):
        _calls(visits)


def _calls(visits):
    Call = _model('jewel.call')
    Lead = _model('jewel.telecalling.lead')
    for index, status, duration, sentiment, revisit in CALLS:
        call = Call(lead=Lead(visits[index].lead.id), status=status,
            duration=duration)
        call.sentiment = sentiment
        if revisit:
            call.revisit_required = True
            call.revisit_date = datetime.date.today() + datetime.timedelta(
                days=revisit)
        call.feedback = {
            'connected': "Interested, asked for the latest designs",
            'not_connected': "Rang out",
            }[status]
        call.save()


class _as_user:
    "Run proteus calls as another user, then as the demo's admin again"

    def __init__(self, config, user_id):
        self.config = config
        self.user_id = user_id

    def __enter__(self):
        User = _model('res.user')
        self.saved = self.config.user, self.config._context
        self.config.user = self.user_id
        self.config._context = User.get_preferences(True, {})

    def __exit__(self, *exc):
        self.config.user, self.config._context = self.saved


STEPS = [_configuration, _visits_calls_and_scores]
