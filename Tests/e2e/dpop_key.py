"""A client's P-256 key and the RFC 9449 DPoP proofs it makes, with PyJWT: shared by the
device agent test and the DPoP-bound refresh test. Only the public JWK leaves it."""

import base64
import hashlib
import json
import time
import uuid

import jwt
from cryptography.hazmat.primitives.asymmetric import ec


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class DPoPKey:
    def __init__(self):
        self.private = ec.generate_private_key(ec.SECP256R1())
        numbers = self.private.public_key().public_numbers()
        self.jwk = {"kty": "EC", "crv": "P-256", "x": b64url(numbers.x.to_bytes(32, "big")),
                    "y": b64url(numbers.y.to_bytes(32, "big"))}
        # RFC 7638: required members, lexicographic order, no whitespace.
        canonical = json.dumps({k: self.jwk[k] for k in ("crv", "kty", "x", "y")}, separators=(",", ":"), sort_keys=True)
        self.thumbprint = b64url(hashlib.sha256(canonical.encode()).digest())

    def dpop(self, method, url, access_token=None):
        """An RFC 9449 proof for one request."""
        claims = {"jti": str(uuid.uuid4()), "htm": method, "htu": url, "iat": int(time.time())}
        if access_token:
            claims["ath"] = b64url(hashlib.sha256(access_token.encode()).digest())
        return jwt.encode(claims, self.private, algorithm="ES256", headers={"typ": "dpop+jwt", "jwk": self.jwk})
