"""事中事后抽查: a city or the province draws a seeded, stratified sample (a dry run previews it) and one
spot_check case per item is started; published 通报批评 notices are listed."""
from typing import Any

from flask.views import MethodView

from app.api.parsing import Blueprint
from app.api.schemas.spot_checks import DrawCreateSchema, DrawSchema, NoticeListSchema
from app.auth import bearer_actor
from app.services.records import spot_checks

blp = Blueprint("api_spot_checks", __name__, url_prefix="/api/v1/spot-checks", description="事中事后抽查")


@blp.route("/draws")
class Draws(MethodView):
    @blp.arguments(DrawCreateSchema)
    @blp.response(201, DrawSchema)
    @blp.alt_response(200, schema=DrawSchema, description="a dry run: the draw as it would be, nothing stored")
    def post(self, args: dict[str, Any]) -> Any:
        """Draw in the caller's region: reproducible from `seed`, stratified by enterprise type and city,
        excluding enterprises checked in the last `exclude_months`; unless `dry_run`, stored, with a spot_check
        case per item (`case_ids`). 403 `spot_check_not_allowed` for anyone but city and province reviewers."""
        result = spot_checks.draw(bearer_actor(), args["sample_size"], args["exclude_months"], args.get("seed"),
                                  args["dry_run"])
        return result, (200 if args["dry_run"] else 201)


@blp.route("/notices")
class Notices(MethodView):
    @blp.response(200, NoticeListSchema)
    def get(self) -> Any:
        """Published 通报批评 notices (public), newest first."""
        bearer_actor()
        return {"items": spot_checks.list_notices()}
