"""Loaded by schemathesis through SCHEMATHESIS_HOOKS (see test_schemathesis.py)."""

import schemathesis

# The device heartbeat's body is a compact JWS (application/jose): text on the wire.
# Schemathesis has no serializer for it and would otherwise skip the operation with an error.
schemathesis.serializer.alias("application/jose", "text/plain")
