"""Invoices and credit notes a customer receives: the document model, Peppol BIS 3.0 UBL
(writer, reader, validation), the PDF, and payment references."""
