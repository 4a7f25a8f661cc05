"""The HTTP edge: FastAPI app, routes and schemas. HTTP statuses exist only here."""
