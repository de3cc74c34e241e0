"""Queries behind the routes. Services take a session and keyword arguments, return response
models, and raise ``NotFound``/``ProblemError``; they never commit."""
