"""The Google Sheets adapter: read column A, overwrite rows, append rows — nothing else.

google-api-python-client (Sheets API v4 from its bundled, static discovery document) with
google-auth service-account credentials from the key file; the token endpoint is the key
file's own ``token_uri``. Every failure becomes a ``SheetsError`` whose message is safe to
show and which says whether trying again later can help (429, 5xx, timeouts, network).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import google_auth_httplib2
import httplib2
from google.auth import exceptions as auth_errors
from google.oauth2 import service_account
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError

from invoice_crm.domain.errors import IntegrationError

SCOPES = ("https://www.googleapis.com/auth/spreadsheets",)
RETRYABLE_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
LAST_COLUMN = "F"  # six columns: Invoice #, Client, Amount, Status, Due Date, Paid Date
_FIRST_ROW = re.compile(r"![A-Z]+(\d+)")


class SheetsError(IntegrationError):
    """Google Sheets could not be written or read. ``retryable``: a later try may succeed."""

    def __init__(self, message: str, *, retryable: bool, status: int | None = None) -> None:
        super().__init__(message, field="google_sheets")
        self.retryable = retryable
        self.status = status


@dataclass(frozen=True)
class SheetsConfig:
    spreadsheet_id: str
    tab: str
    credentials_file: str
    api_endpoint: str = ""
    timeout_seconds: float = 30.0


def quote_tab(tab: str) -> str:
    """The tab name as A1 notation wants it: quoted, inner quotes doubled."""
    return "'" + tab.replace("'", "''") + "'"


class GoogleSheetsClient:
    """One spreadsheet tab. Not thread-safe (httplib2): use it from one thread at a time."""

    def __init__(self, config: SheetsConfig) -> None:
        self.config = config
        self._values = None

    def _a1(self, cells: str) -> str:
        return f"{quote_tab(self.config.tab)}!{cells}"

    def _api(self):
        if self._values is None:
            try:
                credentials = service_account.Credentials.from_service_account_file(
                    self.config.credentials_file, scopes=SCOPES
                )
            except (OSError, ValueError) as err:
                raise SheetsError(
                    "Cannot read the service-account key file named in the server settings "
                    f"({type(err).__name__})",
                    retryable=False,
                ) from None
            # An explicit Http carries the timeout; the credentials sign its requests.
            http = google_auth_httplib2.AuthorizedHttp(
                credentials, http=httplib2.Http(timeout=self.config.timeout_seconds)
            )
            options = {"api_endpoint": self.config.api_endpoint} if self.config.api_endpoint else None
            service = build(
                "sheets", "v4", http=http, static_discovery=True, cache_discovery=False, client_options=options
            )
            self._values = service.spreadsheets().values()
        return self._values

    def _execute(self, request) -> dict:
        try:
            return request.execute(num_retries=0)
        except HttpError as err:
            raise _from_http_error(err, self.config.tab) from None
        except auth_errors.RefreshError as err:
            raise SheetsError(f"Google sign-in failed: {err}", retryable=bool(err.retryable)) from None
        except auth_errors.TransportError:
            raise SheetsError("Could not reach Google's sign-in service", retryable=True) from None
        except TimeoutError:
            raise SheetsError(
                f"Google Sheets did not answer within {self.config.timeout_seconds:g}s", retryable=True
            ) from None
        except (OSError, httplib2.HttpLib2Error) as err:
            raise SheetsError(f"Could not reach Google Sheets ({type(err).__name__})", retryable=True) from None

    def read_column_a(self) -> list[str]:
        """Column A as shown (one string per row, '' for blank rows), up to its last value."""
        result = self._execute(
            self._api().get(spreadsheetId=self.config.spreadsheet_id, range=self._a1("A:A"), majorDimension="ROWS")
        )
        return [str(row[0]) if row else "" for row in result.get("values", [])]

    def write_rows(self, rows: list[tuple[int, list[str]]]) -> None:
        """Overwrite whole rows in one values.batchUpdate (USER_ENTERED)."""
        body = {
            "valueInputOption": "USER_ENTERED",
            "data": [
                {"range": self._a1(f"A{row}:{LAST_COLUMN}{row}"), "majorDimension": "ROWS", "values": [values]}
                for row, values in rows
            ],
        }
        self._execute(self._api().batchUpdate(spreadsheetId=self.config.spreadsheet_id, body=body))

    def append_rows(self, values: list[list[str]]) -> int:
        """Append rows after the table in one values.append; returns the first row written."""
        result = self._execute(
            self._api().append(
                spreadsheetId=self.config.spreadsheet_id,
                range=self._a1(f"A:{LAST_COLUMN}"),
                valueInputOption="USER_ENTERED",
                insertDataOption="INSERT_ROWS",
                body={"majorDimension": "ROWS", "values": values},
            )
        )
        match = _FIRST_ROW.search(result.get("updates", {}).get("updatedRange", ""))
        if not match:
            raise SheetsError("Google Sheets did not say where the rows were appended", retryable=True)
        return int(match.group(1))


def _from_http_error(err: HttpError, tab: str) -> SheetsError:
    status = err.status_code
    reason = str(err.reason or "").strip().rstrip(".")
    if status == 400 and "Unable to parse range" in reason:
        message = f"Google Sheets refused the request (HTTP 400: {reason}): is there a tab named '{tab}'? (the tab is chosen in the server settings)"
    elif status == 429:
        message = "Google Sheets write quota exceeded (HTTP 429)"
    elif status >= 500:
        message = f"Google Sheets is unavailable (HTTP {status})"
    elif status == 403:
        message = "No access to the spreadsheet (HTTP 403): share it with the service account's email"
    elif status == 404:
        message = "Spreadsheet not found (HTTP 404): check the spreadsheet id in the server settings"
    elif status == 401:
        message = "Google refused the service account's credentials (HTTP 401)"
    else:
        message = f"Google Sheets refused the request (HTTP {status}: {reason})"
    return SheetsError(message, retryable=status in RETRYABLE_STATUSES, status=status)
