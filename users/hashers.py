"""A fast hasher for OAuth2 client secrets, which the server generates (SPEC §2.3, §6).

PBKDF2's 1,000,000 rounds exist to slow down offline guessing of low-entropy human passwords.
A client secret here is 48 random bytes (384 bits) made by the server, so one salted SHA-256
is already beyond guessing, and /o/token/ stops spending ~200 ms of CPU per client
authentication. User passwords keep Django's default hasher: this one is only ever chosen by
name, through DOT's ``CLIENT_SECRET_HASHER`` setting. Secrets too short to be server-made are
refused before hashing (``users.models.is_strong_client_secret``).
"""

import hashlib

from django.contrib.auth.hashers import BasePasswordHasher, mask_hash
from django.utils.crypto import constant_time_compare


class ClientSecretHasher(BasePasswordHasher):
    algorithm = "client_secret_sha256"

    def encode(self, password: str, salt: str) -> str:
        self._check_encode_args(password, salt)
        digest = hashlib.sha256(f"{salt}${password}".encode()).hexdigest()
        return f"{self.algorithm}${salt}${digest}"

    def decode(self, encoded: str) -> dict:
        algorithm, salt, digest = encoded.split("$", 2)
        assert algorithm == self.algorithm
        return {"algorithm": algorithm, "hash": digest, "salt": salt}

    def verify(self, password: str, encoded: str) -> bool:
        decoded = self.decode(encoded)
        return constant_time_compare(encoded, self.encode(password, decoded["salt"]))

    def safe_summary(self, encoded: str) -> dict:
        decoded = self.decode(encoded)
        return {
            "algorithm": decoded["algorithm"],
            "salt": mask_hash(decoded["salt"]),
            "hash": mask_hash(decoded["hash"]),
        }

    def must_update(self, encoded: str) -> bool:
        return False

    def harden_runtime(self, password: str, encoded: str) -> None:
        pass
