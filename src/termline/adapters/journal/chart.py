"""A tenant's chart of accounts, in its seller profile (`accounts:`). The defaults are the
Belgian minimum chart (PCMN / MAR, Royal Decree of 21 October 2018): 400 trade debtors,
700 sales and services, 451 VAT payable, 550 bank, 751 income from current assets (late
interest on receivables), 743 other operating income (reminder fees and recovery costs
charged to customers, which are compensation, not turnover)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Chart(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    customers: str = Field(default="400", min_length=1, max_length=20)
    sales: str = Field(default="700", min_length=1, max_length=20)
    vat_due: str = Field(default="451", min_length=1, max_length=20)
    bank: str = Field(default="550", min_length=1, max_length=20)
    interest: str = Field(default="751", min_length=1, max_length=20)
    fees: str = Field(default="743", min_length=1, max_length=20)
