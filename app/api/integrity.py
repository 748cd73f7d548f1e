"""诚信综合评价 (read only): an enterprise's integrity score on a date, its ledger and behaviour records.
An enterprise sees its own, an authority its region's; entries are added only by procedures."""
from typing import Any

from flask.views import MethodView

from app.api.parsing import Blueprint
from app.api.schemas.integrity import IntegrityArgsSchema, IntegritySchema
from app.auth import bearer_actor
from app.routing import ID
from app.services.records import integrity as integrity_service

blp = Blueprint("api_integrity", __name__, url_prefix="/api/v1/records", description="诚信综合评价（只读）")


@blp.route(f"/enterprises/<{ID}:enterprise_id>/integrity")
class EnterpriseIntegrity(MethodView):
    @blp.arguments(IntegrityArgsSchema, location="query")
    @blp.response(200, IntegritySchema)
    def get(self, args: dict[str, Any], enterprise_id: int) -> Any:
        """The score on `on` (default today) = the sum of the ledger entries effective by then, each with its
        reason, source case, date and who recorded it; and the good and bad behaviour records."""
        return integrity_service.integrity_of(bearer_actor(), enterprise_id, args.get("on"))
