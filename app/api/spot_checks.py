"""事中事后抽查: a city or the province draws a stratified sample with a seed the server makes (a dry run previews
it) and one spot_check case per item is started; the draws made are listed and shown with what recomputes them;
published 通报批评 notices are listed."""
from typing import Any

from flask.views import MethodView

from app.api.parsing import Blueprint
from app.api.schemas.spot_checks import (
    DrawCreateSchema,
    DrawListSchema,
    DrawRecordSchema,
    DrawSchema,
    NoticeListSchema,
)
from app.auth import bearer_actor
from app.routing import ID
from app.services.records import spot_check_draws, spot_checks

blp = Blueprint("api_spot_checks", __name__, url_prefix="/api/v1/spot-checks", description="事中事后抽查")


@blp.route("/draws")
class Draws(MethodView):
    @blp.arguments(DrawCreateSchema)
    @blp.response(201, DrawSchema)
    @blp.alt_response(200, schema=DrawSchema, description="a dry run: the draw as it would be, nothing stored")
    def post(self, args: dict[str, Any]) -> Any:
        """Draw in the caller's region, stratified by enterprise type and city, excluding enterprises checked in
        the last `exclude_months`, with a seed the server makes: unless `dry_run`, stored with its seed and
        population, with a spot_check case per item (`case_ids`). A `seed` is for a preview only: a real draw
        given one is refused (422 `spot_check_seed_refused`), so that nobody picks the sample by trying seeds.
        Previews and draws are audited. 403 `spot_check_not_allowed` for anyone but city and province reviewers."""
        result = spot_checks.draw(bearer_actor(), args["sample_size"], args["exclude_months"], args.get("seed"),
                                  args["dry_run"])
        return result, (200 if args["dry_run"] else 201)

    @blp.response(200, DrawListSchema)
    def get(self) -> Any:
        """The draws of the caller's region (the province: all), newest first, at most 100."""
        return {"items": spot_check_draws.list_draws(bearer_actor())}


@blp.route(f"/draws/<{ID}:draw_id>")
class DrawResource(MethodView):
    @blp.response(200, DrawRecordSchema)
    def get(self, draw_id: int) -> Any:
        """A draw with its seed, parameters, the population it was drawn from and its items, and `verified`: the
        draw recomputed from them gives what was stored. 404 `spot_check_draw_not_found` outside the caller's
        region; 403 `spot_check_not_allowed` for anyone but city and province reviewers."""
        return spot_check_draws.get_draw(bearer_actor(), draw_id)


@blp.route("/notices")
class Notices(MethodView):
    @blp.response(200, NoticeListSchema)
    def get(self) -> Any:
        """Published 通报批评 notices (public), newest first."""
        bearer_actor()
        return {"items": spot_checks.list_notices()}
