"""`modelreg serve-model`: a separate process that serves one registered model over HTTP.

It speaks to the registry only through its public API (modelreg.client) and is never imported by
the registry server, which does not load user code. Modules, by concept:

- reference.py: `PROJECT/MODEL@REF` and `--canary ALIAS=PCT%`, and the canary's request split;
- resolve.py: a reference to a registry version (GraphQL), and deployment records;
- fetch.py: a version's files into a verified cache, and where its MLmodel is;
- loading.py: the serving extra (imported lazily) and loading a pyfunc model;
- holder.py: the loaded models and their atomic swap;
- payload.py and signature.py: request bodies to model input, checked against the signature;
- app.py: the Starlette scoring app (`/ping`, `/health`, `/version`, `/invocations`);
- follow.py: re-resolving an alias or stage and swapping in its new version.
"""

from __future__ import annotations
