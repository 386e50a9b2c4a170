"""Invoice CRM: a freelancer's invoices from draft to paid."""
