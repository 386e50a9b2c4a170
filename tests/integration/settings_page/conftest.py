from tests.fakes.stripe_fixture import stripe_api  # noqa: F401
from tests.integration.email_helpers import mail, smtp_server  # noqa: F401
