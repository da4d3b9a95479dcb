"""Flask-RESTful resources (placeholder)."""


def read_routes(project) -> list:
    return []
