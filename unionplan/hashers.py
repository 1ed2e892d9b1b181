"""The password hasher: Argon2id with the parameters OWASP's password-storage guidance recommends.

OWASP Password Storage Cheat Sheet (https://cheatsheetseries.owasp.org/cheatsheets/
Password_Storage_Cheat_Sheet.html), "Argon2id": "a minimum configuration of 19 MiB of
memory, an iteration count of 2, and 1 degree of parallelism". Django's own
Argon2PasswordHasher asks for 100 MiB and 8 lanes: on a 2-core server a burst of log-ins
would then queue behind each other; one hash here costs about 30 ms of one core, so 200
officers logging in at once are hashed in a few seconds (docs/benchmarks.md).
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class OwaspArgon2idPasswordHasher(Argon2PasswordHasher):
    """Argon2id, m=19 MiB, t=2, p=1 (OWASP's first recommended configuration).

    Same algorithm name ("argon2") as Django's hasher, so a hash made with other parameters
    still verifies and is rehashed with these at the next log-in (``must_update``)."""

    memory_cost = 19 * 1024  # KiB
    time_cost = 2
    parallelism = 1
