"""SQLModel tables. Import from here; the modules split them by concept."""

from invoice_crm.models.business import BusinessSettings
from invoice_crm.models.invoices import (
    Invoice,
    InvoiceCounter,
    InvoiceEvent,
    LineItem,
    Payment,
    PaymentMethod,
)
from invoice_crm.models.jobs import JobLease
from invoice_crm.models.messaging import (
    DeliveryStatus,
    EmailMessage,
    OutboxMessage,
    StripeEvent,
)
from invoice_crm.models.people import Client, Lead, Project, User, UserSession
from invoice_crm.models.security import RateLimit, SetupCode, SignInThrottle

__all__ = [
    "BusinessSettings",
    "Client",
    "DeliveryStatus",
    "EmailMessage",
    "Invoice",
    "InvoiceCounter",
    "InvoiceEvent",
    "JobLease",
    "Lead",
    "LineItem",
    "OutboxMessage",
    "Payment",
    "PaymentMethod",
    "Project",
    "RateLimit",
    "SetupCode",
    "SignInThrottle",
    "StripeEvent",
    "User",
    "UserSession",
]
