"""GET /api/v1/procedures: deployed procedures."""
from typing import Any

from flask.views import MethodView

from app.api.parsing import Blueprint
from app.api.schemas.procedures import ProcedureSchema
from app.auth import bearer_actor
from app.services.procedures.versions import list_procedures, manifest_of

blp = Blueprint("api_procedures", __name__, url_prefix="/api/v1/procedures", description="事项（流程）")


@blp.route("")
class Procedures(MethodView):
    @blp.response(200, ProcedureSchema(many=True))
    def get(self) -> Any:
        """Deployed procedures with their latest version."""
        bearer_actor()
        return [{"key": p.key, "name": p.name, "version": v.version if v else None,
                 "content_hash": v.content_hash if v else None, "deployed_at": v.deployed_at if v else None,
                 "start_roles": manifest_of(v.id).get("start_roles", []) if v else []}
                for p in list_procedures() for v in [p.current_version]]
