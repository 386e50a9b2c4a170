"""SQLModel tables. Import from here; the modules split them by concept."""

from invoice_crm.models.billing import CreditNote, CreditNoteLine, Refund, TaxRate
from invoice_crm.models.business import BusinessSettings
from invoice_crm.models.imports import ImportFingerprint
from invoice_crm.models.invoices import (
    MANUAL_METHODS,
    AppFlag,
    IdempotencyKey,
    Invoice,
    InvoiceCounter,
    InvoiceEvent,
    LineItem,
    Payment,
    PaymentMethod,
    StripeCheckoutSession,
)
from invoice_crm.models.jobs import JobLease
from invoice_crm.models.messaging import (
    DeliveryStatus,
    EmailMessage,
    OutboxMessage,
    StripeEvent,
)
from invoice_crm.models.people import Client, Lead, Project, User, UserSession
from invoice_crm.models.recurring import ProfileStatus, RecurringProfile, RecurringRun
from invoice_crm.models.reminders import ReminderSchedule, ReminderSend, ReminderStep
from invoice_crm.models.security import RateLimit, SetupCode, SignInThrottle

__all__ = [
    "MANUAL_METHODS",
    "AppFlag",
    "BusinessSettings",
    "Client",
    "CreditNote",
    "CreditNoteLine",
    "DeliveryStatus",
    "EmailMessage",
    "IdempotencyKey",
    "ImportFingerprint",
    "Invoice",
    "InvoiceCounter",
    "InvoiceEvent",
    "JobLease",
    "Lead",
    "LineItem",
    "OutboxMessage",
    "Payment",
    "PaymentMethod",
    "ProfileStatus",
    "Project",
    "RateLimit",
    "RecurringProfile",
    "RecurringRun",
    "Refund",
    "ReminderSchedule",
    "ReminderSend",
    "ReminderStep",
    "SetupCode",
    "SignInThrottle",
    "StripeCheckoutSession",
    "StripeEvent",
    "TaxRate",
    "User",
    "UserSession",
]
