"""What OpenStack's libraries mean, each a small model on top of the program: packaging metadata and
entry points (packaging), oslo.config options (oslo_config), service start-up shapes (services),
oslo.messaging clients and servers (messaging), REST routers (rest/) and driver interfaces (drivers).
Imports program, index, source and the shared modules; never a flow.
"""
