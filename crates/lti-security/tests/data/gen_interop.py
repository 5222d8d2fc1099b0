"""Regenerates interop.json: tokens signed by an independent JOSE stack (Python `cryptography`, i.e. OpenSSL),
which tests/interop.rs verifies with lti-security. Run: python3 gen_interop.py > interop.json
Needs `pip install cryptography`. Not run by CI: the output is committed."""
import base64, json, time
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa, utils

def b64(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()

def uint(n, size=None):
    size = size or (n.bit_length() + 7) // 8
    return b64(n.to_bytes(size, "big"))

def token(alg, kid, sign):
    header = b64(json.dumps({"alg": alg, "kid": kid, "typ": "JWT"}, separators=(",", ":")).encode())
    claims = {"iss": "https://platform.example", "aud": "client-1", "sub": "user-1",
              "iat": 1700000000, "exp": 1700000300, "nonce": "n-" + alg}
    payload = b64(json.dumps(claims, separators=(",", ":")).encode())
    signing_input = f"{header}.{payload}".encode()
    return f"{header}.{payload}.{b64(sign(signing_input))}"

cases = []
for alg, h in [("RS256", hashes.SHA256()), ("RS384", hashes.SHA384()), ("RS512", hashes.SHA512())]:
    k = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pub = k.public_key().public_numbers()
    jwk = {"kty": "RSA", "kid": "py-" + alg, "n": uint(pub.n), "e": uint(pub.e)}
    cases.append({"alg": alg, "jwk": jwk,
                  "token": token(alg, jwk["kid"], lambda m, k=k, h=h: k.sign(m, padding.PKCS1v15(), h))})
for alg, curve, h, size in [("ES256", ec.SECP256R1(), hashes.SHA256(), 32), ("ES384", ec.SECP384R1(), hashes.SHA384(), 48)]:
    k = ec.generate_private_key(curve)
    pub = k.public_key().public_numbers()
    jwk = {"kty": "EC", "crv": curve.name.replace("secp256r1", "P-256").replace("secp384r1", "P-384"),
           "kid": "py-" + alg, "x": uint(pub.x, size), "y": uint(pub.y, size)}
    def sign(m, k=k, h=h, size=size):
        r, s = utils.decode_dss_signature(k.sign(m, ec.ECDSA(h)))
        return r.to_bytes(size, "big") + s.to_bytes(size, "big")
    cases.append({"alg": alg, "jwk": jwk, "token": token(alg, jwk["kid"], sign)})
print(json.dumps({"generated_by": "python cryptography (OpenSSL)", "cases": cases}, indent=1))
