"""REST routing: the route model every router produces (route) and one module per kind of router:
Routes mappers, Nova's ROUTE_LIST and API extensions (routes_mapper, run by the small interpreter of
interpreter.py, which also follows Heat's local connect() and Trove's create_resource()), path ->
verb -> handler tables (placement), Flask-RESTful and Keystone's APIBase (flask), and paste deploy
saying which router is mounted under which prefix (paste); readers asks each in turn. Imports the
program layer and below.
"""
