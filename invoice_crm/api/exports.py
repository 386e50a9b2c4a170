"""GET /api/exports/<kind>.csv?ticket=...: a CSV export, streamed as it is read.

Only for the signed-in owner: the ticket (services.export_tickets) is minted by a checked
event of the signed-in page and names the export, its parameters and the session; an expired,
altered or signed-out ticket gets 403. The response streams (the header leaves at once, the
rows follow in batches), is never cached, and comes as an attachment.
"""

from __future__ import annotations

from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import PlainTextResponse, StreamingResponse

from invoice_crm.domain.errors import DomainError
from invoice_crm.services import export_tickets, exports

PATH = "/api/exports/{kind}.csv"


async def export_csv(request: Request):
    kind = request.path_params["kind"]
    if kind not in exports.KINDS:
        return PlainTextResponse("Not found", status_code=404)
    try:
        params = export_tickets.redeem(request.query_params.get("ticket", ""), kind)
        export = exports.build(kind, params)
    except (DomainError, ValueError, KeyError):
        return PlainTextResponse("This download link is not valid any more: start the export again.", status_code=403)
    return StreamingResponse(
        export.chunks,
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(export.filename)}",
            "Cache-Control": "no-store",
            "X-Accel-Buffering": "no",  # nginx passes the rows on as they come
        },
    )
