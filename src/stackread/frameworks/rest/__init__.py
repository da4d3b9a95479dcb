"""REST routing: the route model every router produces (route) and one module per kind of router:
Routes mappers, Nova's ROUTE_LIST and API extensions (routes_mapper); pecan, Flask and the others
come beside them. Imports the program layer and below.
"""
