"""GET /api/v1/procedures: deployed procedures."""
from typing import Any

from flask.views import MethodView

from app.api.parsing import Blueprint
from app.api.schemas.procedures import ProcedureSchema
from app.auth import bearer_actor
from app.services.procedures.versions import list_procedures

blp = Blueprint("api_procedures", __name__, url_prefix="/api/v1/procedures", description="事项（流程）")


@blp.route("")
class Procedures(MethodView):
    @blp.response(200, ProcedureSchema(many=True))
    def get(self) -> Any:
        """Deployed procedures with their latest version."""
        bearer_actor()
        return list_procedures()
