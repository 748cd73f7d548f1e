"""marshmallow schemas of the API: shape and formats only, no queries, no current user."""
