"""Customer CSV files for the benchmarks, generated with Faker en_IN.

Batch k holds 100,000 customers; every batch is reproducible (seeded) and
no mobile or e-mail appears in two batches, so batches 0..9 together make
one tenant of a million distinct customers.
"""
import csv
import random

import phonenumbers
from faker import Faker

from common import DATA

BATCH_SIZE = 100_000
COLUMNS = ['name', 'mobile', 'email', 'birthday', 'city', 'tags',
    'lead_source', 'consent_whatsapp']
LEAD_SOURCES = ['walk_in', 'walk_in', 'walk_in', 'instagram', 'referral',
    'facebook', 'google', 'website', 'whatsapp', 'exhibition', '']
TAGS = [''] * 16 + ['VIP', 'VIP', 'Bridal', 'VIP|Bridal']
# Ways a shop writes the mobile 98290 12345
MOBILE_FORMS = [
    lambda n: f'+91 {n[:5]} {n[5:]}',
    lambda n: f'0{n}',
    lambda n: f'{n[:5]}-{n[5:]}',
    lambda n: n,
    lambda n: f'+91{n}',
    lambda n: f'(+91) {n[:5]}-{n[5:]}',
    lambda n: f'0 {n[:5]} {n[5:]}',
    ]
# The demo customers' mobiles are 98290 000nn and 98200 000nn
DEMO_PREFIXES = ('98290', '98200')
# i -> (i * MULTIPLIER + OFFSET) mod 10**9 is a bijection (3**18 is prime
# to 10), which spreads consecutive indexes over the whole number space
MULTIPLIER = 3 ** 18
OFFSET = 123_456_789
INDEXES_PER_BATCH = 10 ** 7


def path(batch):
    return DATA / f'customers-{batch}.csv'


def is_mobile(national):
    number = phonenumbers.parse(national, 'IN')
    return (phonenumbers.is_valid_number(number)
        and phonenumbers.number_type(number)
        == phonenumbers.PhoneNumberType.MOBILE)


def mobiles(batch):
    """Valid Indian mobiles (10 digits, national form) of a batch, distinct
    from those of every other batch and from the demo customers'"""
    for index in range(batch * INDEXES_PER_BATCH,
            (batch + 1) * INDEXES_PER_BATCH):
        digits = (index * MULTIPLIER + OFFSET) % 10 ** 9
        national = '9876'[index % 4] + f'{digits:09d}'
        if national.startswith(DEMO_PREFIXES) or not is_mobile(national):
            continue
        yield national


def e164(national):
    return '+91' + national


def written(national, rng):
    "The mobile in one of the forms people type"
    return rng.choice(MOBILE_FORMS)(national)


def email(faker, first, last, index):
    local = ''.join(c for c in f'{first}.{last}'.lower()
        if c.isascii() and (c.isalnum() or c == '.'))
    return f'{local}.{index}@{faker.free_email_domain()}'


def rows(batch, size=BATCH_SIZE):
    faker = Faker('en_IN')
    faker.seed_instance(batch)
    rng = random.Random(batch)
    numbers = mobiles(batch)
    for index in range(batch * size, (batch + 1) * size):
        first, last = faker.first_name(), faker.last_name()
        birthday = faker.date_of_birth(minimum_age=18, maximum_age=85)
        yield {
            'name': f'{first} {last}',
            'mobile': written(next(numbers), rng),
            'email': (email(faker, first, last, index)
                if rng.random() < 0.7 else ''),
            'birthday': birthday.strftime(
                rng.choice(['%Y-%m-%d', '%d/%m/%Y'])),
            'city': faker.city(),
            'tags': rng.choice(TAGS),
            'lead_source': rng.choice(LEAD_SOURCES),
            'consent_whatsapp': rng.choice(['yes', 'no', '']),
            }


def ensure(batch):
    "The CSV file of a batch, written unless it is there"
    target = path(batch)
    if not target.exists():
        DATA.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix('.partial')
        with open(partial, 'w', newline='', encoding='utf-8') as output:
            writer = csv.DictWriter(output, COLUMNS, lineterminator='\n')
            writer.writeheader()
            writer.writerows(rows(batch))
        partial.replace(target)
    return target


def first_mobile(batch):
    "E.164 of the first customer of a batch: tells if it was imported"
    return e164(next(mobiles(batch)))
